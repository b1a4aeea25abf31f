/**
 * `asset()`, as in Fresh: a static file's URL tagged with the build id
 * (`?__frsh_c=<id>`), which `staticFiles()` serves with a year of caching.
 *
 * The id is set on the server when an app starts (and before each render,
 * for processes serving several apps) and in the browser by the island
 * boot from the page. Imports nothing, so islands may use it.
 *
 * @module
 */

/** The query parameter that carries the build id. */
export const CACHE_BUST_KEY = "__frsh_c";

let buildId = "";

/** Sets the id `asset()` appends (internal to web/). */
export function setBuildId(id: string): void {
  buildId = id;
}

/** The current build id, "" before an app started. */
export function currentBuildId(): string {
  return buildId;
}

/**
 * Tags a root-relative path with the build id; other URLs and paths that
 * already carry one come back unchanged.
 *
 * @example
 * ```ts
 * asset("/logo.svg"); // "/logo.svg?__frsh_c=3f2a…"
 * ```
 */
export function asset(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//") || buildId === "") {
    return path;
  }
  let url: URL;
  try {
    url = new URL(path, "http://asset.invalid");
  } catch {
    return path;
  }
  if (url.host !== "asset.invalid" || url.searchParams.has(CACHE_BUST_KEY)) {
    return path;
  }
  url.searchParams.set(CACHE_BUST_KEY, buildId);
  return url.pathname + url.search + url.hash;
}
