/**
 * Which files are islands: the modules at the top of `islands/`, and those
 * in `(_islands)` folders under `routes/`. Subfolders of `islands/` hold code
 * islands share (a hub connection, helpers) and are bundled only through
 * the islands that import them. Shared by the build and the server so both
 * agree on the list.
 *
 * @module
 */

import type { ComponentType } from "preact";
import { registerIsland } from "./island_marker.ts";
import {
  isModuleFile,
  listRouteFiles,
  withoutExtension,
} from "./route_files.ts";

/** Cap on island modules; each becomes a bundle entry. */
export const MAX_ISLANDS = 100;

/** One island module. */
export interface IslandFile {
  /** Its name in markers, the manifest and bundle file names. */
  readonly name: string;
  /** The module's file. */
  readonly url: URL;
}

/**
 * Lists the islands of the app at `root`, sorted by name. An island in
 * `islands/Counter.tsx` is named `Counter`; one in
 * `routes/shop/(_islands)/Cart.tsx` is named `routes_shop___islands__Cart`.
 */
export async function listIslands(root: URL): Promise<IslandFile[]> {
  const islands: IslandFile[] = [];
  const islandsDir = new URL("islands/", root);
  for (const name of await topLevelModules(islandsDir)) {
    islands.push({
      name: withoutExtension(name),
      url: new URL(name, islandsDir),
    });
  }
  const routesDir = new URL("routes/", root);
  for (const path of (await listRouteFiles(routesDir)).islands) {
    const name = "routes_" + withoutExtension(path).replace(/[^\w-]/g, "_");
    islands.push({ name, url: new URL(encodePath(path), routesDir) });
  }
  if (islands.length > MAX_ISLANDS) {
    throw new RangeError(`More than ${MAX_ISLANDS} island modules`);
  }
  const names = new Set(islands.map((island) => island.name));
  if (names.size !== islands.length) {
    throw new Error("Two island files map to the same island name");
  }
  return islands.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

async function topLevelModules(dir: URL): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (
        entry.isFile && isModuleFile(entry.name) && !entry.name.startsWith("_")
      ) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names;
}

/**
 * Imports every island module and registers each exported function as an
 * island component, so server renders mark it. Returns the island names.
 */
export async function loadIslands(root: URL): Promise<string[]> {
  const islands = await listIslands(root);
  for (const { name, url } of islands) {
    const exports = await import(url.href) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(exports)) {
      if (typeof value !== "function") continue;
      registerIsland(value as ComponentType, { module: name, exportName });
    }
  }
  return islands.map((island) => island.name);
}
