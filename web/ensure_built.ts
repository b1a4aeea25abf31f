/**
 * Builds the islands when there is no build, or when island sources are
 * newer than it, so `deno task start` on a fresh clone does everything.
 *
 * @module
 */

import { build } from "./build.ts";
import { listIslands } from "./island_files.ts";
import {
  type BuildManifest,
  manifestUrl,
  readManifest,
} from "./build_manifest.ts";
import type { WebLogger } from "./logger.ts";

// One build per root at a time when several servers start in one process.
const pending = new Map<string, Promise<void>>();

/**
 * Runs `deno task build`'s work when static/build/manifest.json is missing
 * or stale. If a stale build cannot be replaced (a read-only deployment),
 * the existing one is kept with a warning.
 */
export function ensureBuilt(root: URL, logger?: WebLogger): Promise<void> {
  const key = root.href;
  let promise = pending.get(key);
  if (!promise) {
    promise = ensure(root, logger).finally(() => pending.delete(key));
    pending.set(key, promise);
  }
  return promise;
}

async function ensure(root: URL, logger?: WebLogger): Promise<void> {
  const manifest = await readManifest(root);
  // On Deno Deploy the build step made the manifest; never rebuild there.
  if (manifest && onDenoDeploy()) return;
  if (manifest && !await isStale(root, manifest)) return;
  try {
    const started = performance.now();
    await build(root);
    logger?.log("info", "web.build", {
      reason: manifest ? "stale" : "missing",
      ms: Math.round(performance.now() - started),
    });
  } catch (error) {
    if (!manifest) throw error;
    logger?.log("warn", "web.build_failed_kept_old", { error });
  }
}

function onDenoDeploy(): boolean {
  try {
    return Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined ||
      Deno.env.get("DENO_DEPLOY") === "true";
  } catch {
    return false; // No env permission: not a Deploy runtime (it has --allow-all).
  }
}

async function isStale(root: URL, manifest: BuildManifest): Promise<boolean> {
  const names = (await listIslands(root)).map((island) => island.name);
  if (names.join() !== Object.keys(manifest.islands).sort().join()) return true;
  // A manifest from before sources were recorded cannot tell: rebuild.
  if (!manifest.sources) return true;
  const builtAt = (await Deno.stat(manifestUrl(root))).mtime?.getTime();
  if (builtAt === undefined) return false;
  for (const source of manifest.sources) {
    let mtime: number;
    try {
      mtime = (await Deno.stat(new URL(source, root))).mtime?.getTime() ?? 0;
    } catch {
      return true; // a source was removed or renamed
    }
    if (mtime > builtAt) return true;
  }
  return false;
}
