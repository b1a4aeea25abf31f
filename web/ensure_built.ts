/**
 * Builds the islands when there is no build, or when island sources are
 * newer than it, so `deno task start` on a fresh clone does everything.
 *
 * @module
 */

import { build } from "./build.ts";
import { islandModuleName, listIslandFiles } from "./island_files.ts";
import { manifestUrl, readManifest } from "./build_manifest.ts";
import type { Logger } from "../hub/logger.ts";

/**
 * Files and folders that end up in island bundles. Islands reach outside
 * islands/ for the client boot, the typed hub connection and the chart
 * contract's limits.
 */
const SOURCES = [
  "islands/",
  "web/client/",
  "web/revive.ts",
  "hub/typed_connection.ts",
  "chart/chart_contract.ts",
];

/** Cap on files looked at for staleness; past it, assume fresh. */
const MAX_SCANNED = 2_000;

// One build per root at a time when several servers start in one process.
const pending = new Map<string, Promise<void>>();

/**
 * Runs `deno task build`'s work when static/build/manifest.json is missing
 * or stale. If a stale build cannot be replaced (a read-only deployment),
 * the existing one is kept with a warning.
 */
export function ensureBuilt(root: URL, logger?: Logger): Promise<void> {
  const key = root.href;
  let promise = pending.get(key);
  if (!promise) {
    promise = ensure(root, logger).finally(() => pending.delete(key));
    pending.set(key, promise);
  }
  return promise;
}

async function ensure(root: URL, logger?: Logger): Promise<void> {
  const manifest = await readManifest(root);
  // On Deno Deploy the build step made the manifest; never rebuild there.
  if (manifest && onDenoDeploy()) return;
  if (manifest && !await isStale(root, Object.keys(manifest.islands))) return;
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

async function isStale(root: URL, built: string[]): Promise<boolean> {
  const names = (await listIslandFiles(new URL("islands/", root)))
    .map(islandModuleName);
  if (names.join() !== [...built].sort().join()) return true;
  const builtAt = (await Deno.stat(manifestUrl(root))).mtime?.getTime();
  if (builtAt === undefined) return false;
  const newest = await newestMtime(SOURCES.map((s) => new URL(s, root)));
  return newest > builtAt;
}

async function newestMtime(targets: URL[]): Promise<number> {
  let newest = 0;
  let scanned = 0;
  const queue = [...targets];
  while (queue.length > 0 && scanned < MAX_SCANNED) {
    const target = queue.pop()!;
    scanned++;
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(target);
    } catch {
      continue;
    }
    if (info.isFile) newest = Math.max(newest, info.mtime?.getTime() ?? 0);
    if (!info.isDirectory) continue;
    for await (const entry of Deno.readDir(target)) {
      const suffix = entry.isDirectory ? "/" : "";
      queue.push(new URL(entry.name + suffix, target));
    }
  }
  return newest;
}
