/**
 * Serves files from `static/`: build output under `/build/` with a year of
 * immutable caching (names carry a content hash), everything else with an
 * ETag and revalidation (names are stable, contents change).
 *
 * Files are read per request from disk; the OS page cache makes that cheap
 * and it keeps memory bounded regardless of how many files there are.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { BUILD_URL_PREFIX } from "./build_manifest.ts";

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

/** Cache-Control of content-hashed build files. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** Largest static file served; bigger ones belong on a CDN. */
export const MAX_STATIC_BYTES = 16 * 1024 * 1024;

/**
 * Answers `req` from `staticDir` if a file matches its path, else null.
 * Only GET and HEAD. The path is resolved as a file path below the folder
 * and served only if its real path (symlinks resolved) stays inside it:
 * resolving it as a URL instead would let `/file:/etc/passwd` replace the
 * base and read any file the process can.
 */
export async function serveStatic(
  req: Request,
  url: URL,
  staticDir: URL,
): Promise<Response | null> {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const relative = safeRelativePath(url.pathname);
  if (!relative) return null;
  // Only hashed bundles live under /build/; the manifest is not public.
  if (relative.startsWith("build/") && !relative.endsWith(".js")) return null;
  const root = await realRoot(staticDir);
  if (root === null) return null;
  const file = await confined(root, relative);
  if (file === null) return null;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch {
    return null;
  }
  if (!info.isFile || info.size > MAX_STATIC_BYTES) return null;
  const hashed = url.pathname.startsWith(BUILD_URL_PREFIX);
  const gzipFile = hashed && acceptsGzip(req)
    ? await confined(root, `${relative}.gz`)
    : null;
  const gzipped = gzipFile !== null && await isFile(gzipFile);
  const etag = `W/"${info.size.toString(36)}-${
    (info.mtime?.getTime() ?? 0).toString(36)
  }"`;
  const headers = new Headers({
    "content-type": contentType(relative),
    "cache-control": hashed ? IMMUTABLE : "public, max-age=0, must-revalidate",
    "etag": etag,
    "x-content-type-options": "nosniff",
  });
  if (hashed) headers.set("vary", "accept-encoding");
  if (gzipped) headers.set("content-encoding", "gzip");
  if (req.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const source = gzipped && gzipFile !== null ? gzipFile : file;
  const body = req.method === "HEAD" ? null : await Deno.readFile(source);
  return new Response(body, { status: 200, headers });
}

/** The static folder's real path, or null when it does not exist. */
async function realRoot(staticDir: URL): Promise<string | null> {
  try {
    return await Deno.realPath(fileURLToPath(staticDir));
  } catch {
    return null;
  }
}

/**
 * The real path of `relative` below `root`, or null when it does not exist
 * or a symlink leads out of the folder.
 */
async function confined(
  root: string,
  relative: string,
): Promise<string | null> {
  let real: string;
  try {
    real = await Deno.realPath(`${root}/${relative}`);
  } catch {
    return null;
  }
  return real.startsWith(`${root}/`) ? real : null;
}

function acceptsGzip(req: Request): boolean {
  return /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Characters no static file name here has, refused anywhere in a segment:
 * `:` makes a segment a URL scheme or a Windows drive, `?` and `#` cut a
 * suffix off when a path is read as a URL, a backslash or NUL splits paths
 * on some platforms. A `%` left after one decoding is a double encoding.
 */
const UNSAFE_SEGMENT = /[:?#\\\0%]/;

/**
 * The decoded path below the static root, or null if unsafe: decoded once,
 * no empty, `.`-leading or {@link UNSAFE_SEGMENT} segment.
 */
export function safeRelativePath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const parts = decoded.split("/").filter((part) => part !== "");
  if (parts.length === 0) return null;
  for (const part of parts) {
    if (part.startsWith(".") || UNSAFE_SEGMENT.test(part)) return null;
  }
  return parts.join("/");
}

function contentType(path: string): string {
  const dot = path.lastIndexOf(".");
  return TYPES[dot === -1 ? "" : path.slice(dot).toLowerCase()] ??
    "application/octet-stream";
}
