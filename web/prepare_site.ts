/**
 * Readies an app before its first request: the island build (made when
 * missing or stale, or always in development), the islands registered for
 * marking, and the build id.
 *
 * @module
 */

import type { ResolvedConfig } from "./page_props.ts";
import type { Site } from "./site.ts";
import type { WebLogger } from "./logger.ts";
import { type BuildManifest, readManifest } from "./build_manifest.ts";
import { ensureBuilt } from "./ensure_built.ts";
import { build } from "./build.ts";
import { watchIslands } from "./dev_watch.ts";
import { loadIslands } from "./island_files.ts";
import { computeBuildId } from "./build_id.ts";
import { setBuildId } from "./asset.ts";

/** What to ready. */
export interface PrepareOptions {
  /** Build and load islands (apps with file routes). */
  readonly islands: boolean;
  /** Stops the development watcher. */
  readonly signal: AbortSignal;
}

/** Builds what is missing and returns the app's serving state. */
export async function prepareSite(
  config: ResolvedConfig,
  logger: WebLogger,
  options: PrepareOptions,
): Promise<Site> {
  const root = new URL(config.root);
  let manifest: BuildManifest | null = null;
  if (options.islands) {
    if (config.mode === "development") {
      manifest = await build(root);
      watchIslands(root, (next) => manifest = next, logger, options.signal);
    } else {
      await ensureBuilt(root, logger);
      manifest = await readManifest(root);
    }
    await loadIslands(root);
  }
  const staticDir = new URL("static/", root);
  const buildId = await computeBuildId(staticDir, manifest);
  setBuildId(buildId);
  return { config, manifest: () => manifest, buildId, staticDir, logger };
}
