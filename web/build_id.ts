/**
 * The build id `asset()` tags URLs with: the deployment's id on Deno
 * Deploy, else a hash of static/ and the island build, so every server
 * started from the same files agrees on it and any change moves it.
 *
 * @module
 */

import { readDirSorted } from "./dir_entries.ts";
import { sha256Hex } from "./content_hash.ts";
import type { BuildManifest } from "./build_manifest.ts";
import { MAX_STATIC_BYTES } from "./static_files.ts";

/** Cap on static files hashed; past it the rest do not count. */
const MAX_HASHED_FILES = 1_000;

/** Computes the id; always `[A-Za-z0-9_-]`, safe in URLs and attributes. */
export async function computeBuildId(
  staticDir: URL,
  manifest: BuildManifest | null,
): Promise<string> {
  const deployment = deploymentId();
  if (deployment) return deployment.replace(/[^\w-]/g, "_");
  const parts: string[] = [JSON.stringify(manifest?.islands ?? {})];
  const queue = [{ dir: staticDir, prefix: "" }];
  while (queue.length > 0 && parts.length <= MAX_HASHED_FILES) {
    const { dir, prefix } = queue.shift()!;
    for (const entry of await readDirSorted(dir)) {
      // build/ is covered by the manifest; dot-files are never served.
      if (entry.name.startsWith(".") || prefix + entry.name === "build") {
        continue;
      }
      const url = new URL(encodeURIComponent(entry.name), dir);
      if (entry.isDirectory) {
        queue.push({
          dir: new URL(`${url.href}/`),
          prefix: `${prefix}${entry.name}/`,
        });
      } else if (entry.isFile) {
        parts.push(`${prefix}${entry.name}:${await fileHash(url)}`);
      }
    }
  }
  return (await sha256Hex(new TextEncoder().encode(parts.join("\n"))))
    .slice(0, 16);
}

async function fileHash(url: URL): Promise<string> {
  const info = await Deno.stat(url);
  if (info.size > MAX_STATIC_BYTES) return `large-${info.size}`;
  return await sha256Hex(await Deno.readFile(url));
}

function deploymentId(): string | undefined {
  try {
    return Deno.env.get("DENO_DEPLOYMENT_ID");
  } catch {
    return undefined; // no env permission: not on Deploy
  }
}
