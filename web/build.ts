/**
 * `deno task build`: bundles every island for the browser into
 * static/build/ and writes static/build/manifest.json.
 *
 * One generated entry per island module calls the client boot, and
 * `deno bundle --code-splitting` moves what entries share (Preact, signals,
 * the boot, the SignalR client) into content-hashed chunks, so a page with
 * two islands parses Preact once. Entry names get a content hash here.
 * Files are staged in a private folder and renamed into place, manifest last,
 * so a server or a concurrent build never reads a half-written file.
 *
 * @module
 */

import { type IslandFile, listIslands } from "./island_files.ts";
import {
  BUILD_DIR,
  type BuildManifest,
  type IslandAsset,
  manifestUrl,
} from "./build_manifest.ts";
import { gzip, sha256Hex } from "./content_hash.ts";

/** Options of `build`. */
export interface BuildOptions {
  /** Remove files of earlier builds that the new manifest does not name. */
  readonly prune?: boolean;
  /** Longest a bundle run may take before it is killed. Default 120 s. */
  readonly timeoutMs?: number;
}

/** Bundles the islands of the project at `root`; returns the manifest. */
export async function build(
  root: URL,
  options: BuildOptions = {},
): Promise<BuildManifest> {
  const buildDir = new URL(BUILD_DIR, root);
  await Deno.mkdir(buildDir, { recursive: true });
  const work = new URL(
    `.tmp-${crypto.randomUUID()}/`,
    buildDir,
  );
  try {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const { islands, entries } = await bundleInto(root, work, timeoutMs);
    const manifest: BuildManifest = {
      version: 1,
      builtAt: new Date().toISOString(),
      islands,
      sources: await localSources(root, entries, timeoutMs),
    };
    await writeAtomic(
      manifestUrl(root),
      new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    );
    if (options.prune) await prune(buildDir, manifest);
    return manifest;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function bundleInto(
  root: URL,
  work: URL,
  timeoutMs: number,
): Promise<{ islands: Record<string, IslandAsset>; entries: string[] }> {
  const files = await listIslands(root);
  if (files.length === 0) return { islands: {}, entries: [] };
  const entriesDir = new URL("entries/", work);
  const outDir = new URL("out/", work);
  await Deno.mkdir(entriesDir, { recursive: true });
  const entries: string[] = [];
  for (const file of files) {
    const entry = new URL(`${file.name}.ts`, entriesDir);
    await Deno.writeTextFile(entry, entrySource(file));
    entries.push(entry.pathname);
  }
  await runBundle(root, outDir, entries, timeoutMs);
  const names = files.map((file) => file.name);
  return { islands: await publish(root, outDir, names), entries };
}

function entrySource(file: IslandFile): string {
  const island = file.url.href;
  // The boot and config come from this web layer, so a test can build a
  // fixture project in a temp folder with the real import map.
  const boot = new URL("./client/boot.ts", import.meta.url).href;
  const name = JSON.stringify(file.name);
  return `import * as island from ${JSON.stringify(island)};\n` +
    `import { boot } from ${JSON.stringify(boot)};\n` +
    `boot(${name}, island);\n`;
}

async function runBundle(
  root: URL,
  outDir: URL,
  entries: string[],
  timeoutMs: number,
): Promise<void> {
  const command = new Deno.Command(denoBinary(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=browser",
      "--format=esm",
      "--minify",
      "--code-splitting",
      `--config=${new URL("../deno.json", import.meta.url).pathname}`,
      `--outdir=${outDir.pathname}`,
      ...entries,
    ],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const { code, stderr } = await command.output();
  if (code !== 0) {
    throw new Error(
      `deno bundle failed (exit ${code}): ${new TextDecoder().decode(stderr)}`,
    );
  }
}

/** Cap on source files a manifest lists for its staleness check. */
const MAX_SOURCES = 2_000;

/**
 * The files under `root` the bundles were made from (the entries' module
 * graph, as `deno info` reports it), so a later start can tell whether the
 * build is stale without knowing the app's layout.
 */
async function localSources(
  root: URL,
  entries: string[],
  timeoutMs: number,
): Promise<string[]> {
  if (entries.length === 0) return [];
  // `deno info` takes one root: one module importing every entry.
  const all = entries[0].replace(/[^/]+$/, "all_islands.ts");
  await Deno.writeTextFile(
    all,
    entries.map((e) => `import ${JSON.stringify(`file://${e}`)};\n`).join(""),
  );
  const { code, stdout, stderr } = await new Deno.Command(denoBinary(), {
    args: [
      "info",
      "--json",
      `--config=${new URL("../deno.json", import.meta.url).pathname}`,
      all,
    ],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  if (code !== 0) {
    throw new Error(`deno info failed: ${new TextDecoder().decode(stderr)}`);
  }
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: Array<{ specifier: string }>;
  };
  return graph.modules.map((m) => m.specifier)
    .filter((s) => s.startsWith(root.href))
    .map((s) => decodeURIComponent(s.slice(root.href.length)))
    .filter((path) => !path.startsWith(BUILD_DIR))
    .sort()
    .slice(0, MAX_SOURCES);
}

// The running binary bundles with the same Deno version; `--allow-run=deno`
// names the one on PATH, which may be a differently named link to it.
function denoBinary(): string {
  const exec = Deno.execPath();
  const state =
    Deno.permissions.querySync({ name: "run", command: exec }).state;
  return state === "granted" ? exec : "deno";
}

async function publish(
  root: URL,
  outDir: URL,
  modules: string[],
): Promise<Record<string, IslandAsset>> {
  const buildDir = new URL(BUILD_DIR, root);
  // Each file is gzipped once, for its twin and for the islands' sizes
  // (a shared chunk counts towards every island that imports it).
  const contents = new Map<string, Uint8Array>();
  const gzipped = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(outDir)) {
    if (!entry.isFile) continue;
    const code = await Deno.readFile(new URL(entry.name, outDir));
    contents.set(entry.name, code);
    gzipped.set(entry.name, await gzip(code));
  }
  const islands: Record<string, IslandAsset> = {};
  for (const module of modules) {
    const name = `${module}.js`;
    const code = contents.get(name);
    if (!code) throw new Error(`deno bundle wrote no ${name}`);
    const file = `${module}-${(await sha256Hex(code)).slice(0, 12)}.js`;
    const imports = chunkClosure(code, contents);
    const gzipBytes = [name, ...imports]
      .reduce((sum, n) => sum + gzipped.get(n)!.byteLength, 0);
    await writeBuildFile(buildDir, file, code, gzipped.get(name)!);
    islands[module] = { file, imports, gzipBytes };
  }
  for (const [name, code] of contents) {
    if (name.startsWith("chunk-")) {
      await writeBuildFile(buildDir, name, code, gzipped.get(name)!);
    }
  }
  return islands;
}

const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["']\.\/([\w.-]+\.js)["']/g;

/** Chunks a file imports statically, transitively, in discovery order. */
export function chunkClosure(
  code: Uint8Array,
  contents: ReadonlyMap<string, Uint8Array>,
): string[] {
  const found: string[] = [];
  const queue = [new TextDecoder().decode(code)];
  while (queue.length > 0) {
    for (const match of queue.pop()!.matchAll(STATIC_IMPORT)) {
      const name = match[1];
      const chunk = contents.get(name);
      if (found.includes(name) || !chunk) continue;
      found.push(name);
      queue.push(new TextDecoder().decode(chunk));
    }
  }
  return found;
}

// A gzipped twin is written beside each file so serving never compresses.
async function writeBuildFile(
  buildDir: URL,
  name: string,
  code: Uint8Array,
  gzipped: Uint8Array,
): Promise<void> {
  await writeAtomic(new URL(`${name}.gz`, buildDir), gzipped);
  await writeAtomic(new URL(name, buildDir), code);
}

async function writeAtomic(target: URL, data: Uint8Array): Promise<void> {
  const staging = new URL(`${target.href}.${crypto.randomUUID()}.part`);
  await Deno.writeFile(staging, data);
  await Deno.rename(staging, target);
}

async function prune(buildDir: URL, manifest: BuildManifest): Promise<void> {
  const keep = new Set(["manifest.json"]);
  for (const asset of Object.values(manifest.islands)) {
    for (const file of [asset.file, ...asset.imports]) {
      keep.add(file);
      keep.add(`${file}.gz`);
    }
  }
  for await (const entry of Deno.readDir(buildDir)) {
    if (
      entry.isFile && /\.js(\.gz)?$/.test(entry.name) && !keep.has(entry.name)
    ) {
      await Deno.remove(new URL(entry.name, buildDir)).catch(() => {});
    }
  }
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  const started = performance.now();
  const manifest = await build(root, { prune: true });
  const took = Math.round(performance.now() - started);
  console.log(
    `Built ${Object.keys(manifest.islands).length} islands in ${took} ms`,
  );
  for (const [name, asset] of Object.entries(manifest.islands)) {
    const kib = (asset.gzipBytes / 1024).toFixed(1);
    console.log(
      `  ${name}: ${asset.file} + ${asset.imports.length} chunks, ${kib} KiB gzipped`,
    );
  }
}
