/**
 * `deno task dev`: rebuilds the island bundles when their sources change.
 *
 * Route and server files are covered by `deno run --watch`, which restarts
 * the process; islands are rebuilt in place so the next page load gets new
 * bundles without a restart.
 *
 * @module
 */

import { build } from "./build.ts";
import type { BuildManifest } from "./build_manifest.ts";
import type { WebLogger } from "./logger.ts";

/** Quiet time after the last change before rebuilding. */
const DEBOUNCE_MS = 150;

/**
 * Watches islands/ and routes/ (for `(_islands)`) under `root`, and the
 * island boot beside this module; calls `onBuilt` with each new manifest.
 * Stops when `signal` aborts.
 */
export function watchIslands(
  root: URL,
  onBuilt: (manifest: BuildManifest) => void,
  logger: WebLogger,
  signal?: AbortSignal,
): void {
  const paths = [
    new URL("islands/", root),
    new URL("routes/", root),
    new URL("./client/", import.meta.url),
  ].filter(exists).map((url) => url.pathname);
  const watcher = Deno.watchFs(paths, { recursive: true });
  signal?.addEventListener("abort", () => watcher.close(), { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rebuild = async () => {
    try {
      onBuilt(await build(root));
      logger.log("info", "web.rebuilt", {});
    } catch (error) {
      logger.log("error", "web.rebuild_failed", { error });
    }
  };
  (async () => {
    for await (const event of watcher) {
      if (event.paths.every((p) => p.includes("/static/build/"))) continue;
      clearTimeout(timer);
      timer = setTimeout(rebuild, DEBOUNCE_MS);
    }
    clearTimeout(timer);
  })();
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}
