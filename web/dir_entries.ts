/**
 * A folder's entries, sorted by name, for walks whose result must not
 * depend on the filesystem's order.
 *
 * @module
 */

/** The entries of `dir` sorted by name; a missing folder has none. */
export async function readDirSorted(dir: URL): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : 1));
}
