/**
 * Lists the files under `routes/`, as Fresh 2 reads them: every module is
 * a route or a special file (`_app`, `_layout`, …); a folder named
 * `(_islands)` holds islands of the routes beside it; other `(_name)`
 * folders, dot-files and tests are ignored.
 *
 * Routes are discovered by walking the folder when the server starts rather
 * than from a generated manifest: a walk can never go stale the way a
 * checked-in manifest does when someone adds a route and forgets to rebuild.
 *
 * @module
 */

import { readDirSorted } from "./dir_entries.ts";
/** Cap on files under routes/; a tree this large is a mistake, not an app. */
export const MAX_ROUTE_FILES = 500;

/** Paths relative to `routes/`, forward slashes, sorted. */
export interface RouteFiles {
  /** Route and special modules. */
  readonly routes: readonly string[];
  /** Modules inside `(_islands)` folders. */
  readonly islands: readonly string[];
}

const MODULE = /\.(tsx|ts|jsx|js)$/;

/** A module name as Fresh picks them: scripts, no tests or declarations. */
export function isModuleFile(name: string): boolean {
  return MODULE.test(name) && !/[._]test\.\w+$/.test(name) &&
    !name.endsWith(".d.ts") && !name.startsWith(".");
}

/** The path without its extension. */
export function withoutExtension(path: string): string {
  return path.replace(MODULE, "");
}

/** Walks `routesDir`; a missing folder has no files. */
export async function listRouteFiles(routesDir: URL): Promise<RouteFiles> {
  const routes: string[] = [];
  const islands: string[] = [];
  const queue: Array<{ dir: URL; prefix: string; island: boolean }> = [
    { dir: routesDir, prefix: "", island: false },
  ];
  while (queue.length > 0) {
    const { dir, prefix, island } = queue.shift()!;
    for (const entry of await readDirSorted(dir)) {
      const path = prefix + entry.name;
      if (entry.isDirectory && !entry.name.startsWith(".")) {
        const hidden = /^\(_.+\)$/.exec(entry.name);
        if (hidden && !island && entry.name !== "(_islands)") continue;
        queue.push({
          dir: new URL(`${encodeURIComponent(entry.name)}/`, dir),
          prefix: `${path}/`,
          island: island || entry.name === "(_islands)",
        });
      } else if (entry.isFile && isModuleFile(entry.name)) {
        (island ? islands : routes).push(path);
      }
      if (routes.length + islands.length > MAX_ROUTE_FILES) {
        throw new RangeError(
          `More than ${MAX_ROUTE_FILES} files under routes/`,
        );
      }
    }
  }
  return { routes, islands };
}
