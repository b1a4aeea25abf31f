/**
 * The build manifest: which bundle serves which island.
 *
 * Written last by `deno task build` (web/build.ts) and only read at serve
 * time, so a request never bundles anything.
 *
 * @module
 */

/** One island module's bundle. */
export interface IslandAsset {
  /** The entry file in static/build/, content-hashed. */
  readonly file: string;
  /** Chunks it loads, transitively (for `<link rel="modulepreload">`). */
  readonly imports: readonly string[];
  /** Gzipped bytes of the entry plus its chunks, for the size budget. */
  readonly gzipBytes: number;
}

/** static/build/manifest.json. */
export interface BuildManifest {
  readonly version: 1;
  /** ISO time of the build, for humans. */
  readonly builtAt: string;
  /** Island module name → its bundle. */
  readonly islands: Readonly<Record<string, IslandAsset>>;
  /** Files under the root the bundles came from, for the staleness check. */
  readonly sources?: readonly string[];
}

/** Where build output lives, relative to the project root. */
export const BUILD_DIR = "static/build/";

/** URL path prefix of build output. */
export const BUILD_URL_PREFIX = "/build/";

/** The manifest's location under `root`. */
export function manifestUrl(root: URL): URL {
  return new URL(`${BUILD_DIR}manifest.json`, root);
}

/** Reads the manifest, or null when there is no build yet. */
export async function readManifest(root: URL): Promise<BuildManifest | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(manifestUrl(root));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const manifest = JSON.parse(text) as BuildManifest;
  if (manifest.version !== 1 || typeof manifest.islands !== "object") {
    throw new TypeError(
      "static/build/manifest.json is not a version 1 manifest",
    );
  }
  return manifest;
}
