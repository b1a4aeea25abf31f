/**
 * Which files in `islands/` are islands: the top-level modules, except
 * `_private` files and tests. Subfolders hold code islands share (a hub
 * connection, helpers) and are bundled only through the islands that import
 * them. Shared by the build and the server so both agree on the list.
 *
 * @module
 */

import type { ComponentType } from "preact";
import { registerIsland } from "./island_marker.ts";

/** Cap on island modules; each becomes a bundle entry. */
export const MAX_ISLANDS = 100;

/** Lists island file names (e.g. `LiveChart.tsx`), sorted. */
export async function listIslandFiles(islandsDir: URL): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(islandsDir)) {
      if (entry.isFile && isIslandFile(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  if (names.length > MAX_ISLANDS) {
    throw new RangeError(`More than ${MAX_ISLANDS} island modules`);
  }
  return names.sort();
}

/** The island's module name as used in markers and the build manifest. */
export function islandModuleName(fileName: string): string {
  return fileName.replace(/\.(tsx|ts|jsx|js)$/, "");
}

function isIslandFile(name: string): boolean {
  return /\.(tsx|ts|jsx|js)$/.test(name) && !name.startsWith("_") &&
    !name.startsWith(".") && !/_test\.\w+$/.test(name) &&
    !name.endsWith(".d.ts");
}

/**
 * Imports every island module and registers each exported function as an
 * island component, so server renders mark it. Returns the module names.
 */
export async function loadIslands(islandsDir: URL): Promise<string[]> {
  const modules: string[] = [];
  for (const file of await listIslandFiles(islandsDir)) {
    const module = islandModuleName(file);
    const exports = await import(new URL(file, islandsDir).href) as Record<
      string,
      unknown
    >;
    for (const [exportName, value] of Object.entries(exports)) {
      if (typeof value !== "function") continue;
      registerIsland(value as ComponentType, { module, exportName });
    }
    modules.push(module);
  }
  return modules;
}
