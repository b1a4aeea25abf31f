/**
 * File path to URL pattern, as Fresh maps `routes/`.
 *
 * `index` is the folder itself, `[id]` one segment, `[...rest]` the rest of
 * the path (possibly empty), `(group)` folders add no segment. Pure: the
 * filesystem walk lives in web/route_table.ts.
 *
 * @module
 */

/** One segment of a compiled pattern. */
export type Segment =
  | { readonly kind: "static"; readonly text: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "rest"; readonly name: string };

/** A compiled URL pattern. */
export interface RoutePattern {
  /** The pattern in Fresh-like notation, e.g. `/users/:id`, for logs. */
  readonly source: string;
  readonly segments: readonly Segment[];
}

const EXTENSION = /\.(tsx|ts|jsx|js)$/;

/**
 * Compiles a file path relative to `routes/` (forward slashes).
 *
 * @example
 * ```ts
 * patternFromFile("api/users/[id].ts").source; // "/api/users/:id"
 * ```
 */
export function patternFromFile(relative: string): RoutePattern {
  const parts = relative.replace(EXTENSION, "").split("/")
    .filter((part) => !/^\(.+\)$/.test(part));
  if (parts.at(-1) === "index") parts.pop();
  const segments = parts.map(toSegment);
  const rest = segments.findIndex((s) => s.kind === "rest");
  if (rest !== -1 && rest !== segments.length - 1) {
    throw new TypeError(`routes/${relative}: [...rest] must be the last part`);
  }
  const source = "/" + segments.map(show).join("/");
  return { source, segments };
}

function toSegment(part: string): Segment {
  const rest = /^\[\.\.\.(\w+)\]$/.exec(part);
  if (rest) return { kind: "rest", name: rest[1] };
  const param = /^\[(\w+)\]$/.exec(part);
  if (param) return { kind: "param", name: param[1] };
  if (part.includes("[") || part.includes("]")) {
    throw new TypeError(
      `"${part}": a route segment is all text or one [param]`,
    );
  }
  return { kind: "static", text: part };
}

function show(segment: Segment): string {
  if (segment.kind === "static") return segment.text;
  return segment.kind === "param" ? `:${segment.name}` : `:${segment.name}*`;
}

/**
 * Matches a URL path; returns the decoded params or null.
 *
 * A param never matches an empty segment; a rest param may be empty.
 */
export function matchPattern(
  pattern: RoutePattern,
  pathname: string,
): Record<string, string> | null {
  const parts = pathname.split("/").filter((p) => p !== "");
  const params: Record<string, string> = {};
  const { segments } = pattern;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === "rest") {
      params[segment.name] = parts.slice(i).map(safeDecode).join("/");
      return params;
    }
    if (i >= parts.length) return null;
    const part = safeDecode(parts[i]);
    if (segment.kind === "static" && segment.text !== part) return null;
    if (segment.kind === "param") params[segment.name] = part;
  }
  return parts.length === segments.length ? params : null;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Orders patterns most specific first: at the first differing segment a
 * static text beats a `[param]`, which beats a `[...rest]`; then longer first.
 */
export function comparePatterns(a: RoutePattern, b: RoutePattern): number {
  const rank = { static: 0, param: 1, rest: 2 } as const;
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const diff = rank[a.segments[i].kind] - rank[b.segments[i].kind];
    if (diff !== 0) return diff;
  }
  const aRest = a.segments.at(-1)?.kind === "rest";
  const bRest = b.segments.at(-1)?.kind === "rest";
  if (aRest !== bRest) return aRest ? 1 : -1;
  return b.segments.length - a.segments.length ||
    a.source.localeCompare(b.source);
}
