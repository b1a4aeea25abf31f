/**
 * A throwaway copy of web/testdata/site in a temp folder, so tests build
 * and serve it without writing into the repository.
 *
 * @module
 */

const FIXTURE = new URL("../testdata/site/", import.meta.url);

/** Copies the fixture site; `dispose()` removes the copy. */
export async function copyFixtureSite(): Promise<
  { root: URL; dispose(): Promise<void> }
> {
  const dir = await Deno.makeTempDir({ prefix: "switchboard-web-" });
  const root = new URL(`file://${dir}/`);
  await copyTree(FIXTURE, root);
  // Route files import the web layer by relative path; point them home.
  await rewriteImports(new URL("routes/", root));
  return { root, dispose: () => Deno.remove(dir, { recursive: true }) };
}

async function copyTree(from: URL, to: URL): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await copyTree(
        new URL(`${entry.name}/`, from),
        new URL(`${entry.name}/`, to),
      );
    } else if (entry.isFile) {
      await Deno.copyFile(new URL(entry.name, from), new URL(entry.name, to));
    }
  }
}

async function rewriteImports(dir: URL): Promise<void> {
  const web = new URL("../", import.meta.url).href;
  for await (const entry of Deno.readDir(dir)) {
    const target = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) {
      await rewriteImports(target);
      continue;
    }
    const text = await Deno.readTextFile(target);
    await Deno.writeTextFile(
      target,
      text.replace(
        /"(?:\.\.\/)+((?:route_types|route_table)\.ts)"/g,
        `"${web}$1"`,
      ),
    );
  }
}
