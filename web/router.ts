/**
 * URL patterns and the router, as Fresh 2 maps `routes/`.
 *
 * A file path becomes a URLPattern pathname: `index` is its folder,
 * `[id]` one segment, `[[id]]` an optional one, `[...rest]` the rest of the
 * path, `(group)` folders add nothing. Exact paths are found by lookup, the
 * others tried in the order added (file routes most specific first).
 *
 * @module
 */

import { type Method, METHODS } from "./handlers.ts";

/** What a request matched. */
export interface RouteMatch<T> {
  /** The handler for the method, or null (no route, or method not allowed). */
  readonly item: T | null;
  /** The matched pattern, or null when no route matched the path. */
  readonly pattern: string | null;
  readonly params: Record<string, string>;
  /** Methods the matched pattern answers, for `Allow`. */
  readonly allowed: readonly Method[];
}

interface Entry<T> {
  readonly pattern: string;
  readonly matcher: URLPattern | null;
  /**
   * What every path the pattern matches starts with: its text up to the
   * last `/` before the first pattern character. Checked before running
   * the URLPattern, which costs far more (hub requests try every dynamic
   * route before falling through to the root chain).
   */
  readonly prefix: string;
  readonly byMethod: Map<Method, T>;
}

const IS_PATTERN = /[*:{}+?()]/;

/** Routes by pattern and method. */
export class Router<T> {
  #statics = new Map<string, Entry<T>>();
  #dynamics: Entry<T>[] = [];

  /** Adds `item` for `method` at `pattern`; the first one added wins. */
  add(method: Method, pattern: string, item: T): void {
    let entry = this.#statics.get(pattern) ??
      this.#dynamics.find((e) => e.pattern === pattern);
    if (!entry) {
      const dynamic = IS_PATTERN.test(pattern);
      entry = {
        pattern,
        matcher: dynamic ? new URLPattern({ pathname: pattern }) : null,
        prefix: dynamic ? literalPrefix(pattern) : pattern,
        byMethod: new Map(),
      };
      if (dynamic) this.#dynamics.push(entry);
      else this.#statics.set(pattern, entry);
    }
    if (!entry.byMethod.has(method)) entry.byMethod.set(method, item);
  }

  /** Finds the route for `pathname`; HEAD falls back to GET. */
  match(method: Method, pathname: string): RouteMatch<T> {
    const alternate = pathname.endsWith("/")
      ? pathname.slice(0, -1)
      : `${pathname}/`;
    const exact = this.#statics.get(pathname) ??
      (pathname === "/" ? undefined : this.#statics.get(alternate));
    if (exact) return found(exact, method, {});
    for (const entry of this.#dynamics) {
      if (!pathname.startsWith(entry.prefix)) continue;
      const groups = entry.matcher!.exec({ pathname })?.pathname.groups;
      if (groups) return found(entry, method, decodeParams(groups));
    }
    return { item: null, pattern: null, params: {}, allowed: [] };
  }
}

/**
 * The leading text of `pattern` that any match repeats verbatim: up to
 * the last `/` before the first pattern character (a `/:rest*` group may
 * match nothing, slash included), and nothing if a `%` or `\\` could mean
 * an escape.
 */
function literalPrefix(pattern: string): string {
  const special = pattern.search(IS_PATTERN);
  const head = special < 0 ? pattern : pattern.slice(0, special);
  if (/[%\\]/.test(head)) return "";
  return head.slice(0, Math.max(0, head.lastIndexOf("/")));
}

function found<T>(
  entry: Entry<T>,
  method: Method,
  params: Record<string, string>,
): RouteMatch<T> {
  const item = entry.byMethod.get(method) ??
    (method === "HEAD" ? entry.byMethod.get("GET") : undefined) ?? null;
  const allowed = METHODS.filter((m) =>
    entry.byMethod.has(m) || (m === "HEAD" && entry.byMethod.has("GET"))
  );
  return { item, pattern: entry.pattern, params, allowed };
}

function decodeParams(
  groups: Record<string, string | undefined>,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(groups)) {
    if (/^\d+$/.test(key)) continue; // unnamed groups of a routeOverride
    try {
      params[key] = decodeURI(value ?? "");
    } catch {
      params[key] = value ?? "";
    }
  }
  return params;
}

/**
 * The URL pattern of a route file, its path relative to `routes/` without
 * extension.
 *
 * @example
 * ```ts
 * pathToPattern("(shop)/items/[id]"); // "/items/:id"
 * pathToPattern("docs/[[page]]"); // "/docs{/:page}?"
 * ```
 */
export function pathToPattern(path: string): string {
  const parts = path.split("/").filter((p) => !/^\(.+\)$/.test(p));
  if (parts.at(-1) === "index") parts.pop();
  let route = "";
  let required = 0;
  for (const [i, part] of parts.entries()) {
    const rest = /^\[\.\.\.(\w+)\]$/.exec(part);
    if (rest) {
      if (i !== parts.length - 1) {
        throw new SyntaxError(`routes/${path}: [...${rest[1]}] must be last`);
      }
      route += `/:${rest[1]}*`;
      continue;
    }
    const optional = /^\[\[(\w+)\]\]$/.exec(part);
    if (optional) {
      route += `{/:${optional[1]}}?`;
      continue;
    }
    required++;
    route += "/" + segmentPattern(part, path);
  }
  if (route.startsWith("{/") && required === 0) route = "/{" + route.slice(2);
  return route === "" ? "/" : route;
}

function segmentPattern(part: string, path: string): string {
  if (part.includes("][") || /\[\[|\]\]|\.\.\./.test(part)) {
    throw new SyntaxError(`routes/${path}: "${part}" is not a valid segment`);
  }
  const whole = /^\[(\w+)\]$/.exec(part);
  if (whole) return `:${whole[1]}`;
  const pattern = part.replace(/\[(\w+)\]/g, "{:$1}");
  if (/[[\]]/.test(pattern)) {
    throw new SyntaxError(`routes/${path}: "${part}" is not a valid segment`);
  }
  return pattern;
}

/**
 * Orders route files most specific first: at the first differing URL
 * segment, text beats `[param]`, which beats `[[optional]]`, which beats
 * `[...rest]`; then a path ending in `[...rest]` last, else longer first.
 */
export function compareRoutePaths(a: string, b: string): number {
  const pa = urlParts(a);
  const pb = urlParts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const diff = rank(pa[i]) - rank(pb[i]);
    if (diff !== 0) return diff;
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  const aRest = rank(pa.at(-1) ?? "") === 3;
  const bRest = rank(pb.at(-1) ?? "") === 3;
  if (aRest !== bRest) return aRest ? 1 : -1;
  return pb.length - pa.length || (a < b ? -1 : a > b ? 1 : 0);
}

function urlParts(path: string): string[] {
  const parts = path.split("/").filter((p) => !/^\(.+\)$/.test(p));
  if (parts.at(-1) === "index") parts.pop();
  return parts;
}

function rank(part: string): number {
  if (part.startsWith("[...")) return 3;
  if (part.startsWith("[[")) return 2;
  return part.includes("[") ? 1 : 0;
}
