/**
 * `csrf()`, as in Fresh: refuses state-changing requests (not GET, HEAD or
 * OPTIONS) that a browser sent from another site, using `Sec-Fetch-Site`
 * where the browser sends it and `Origin` otherwise. Requests with neither
 * header (not from a browser) pass.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import { HttpError } from "./http_error.ts";

/** Which origins besides the app's own may send unsafe requests. */
export interface CsrfOptions<State = unknown> {
  /** One origin, a list, or a test; default the request URL's origin. */
  origin?:
    | string
    | string[]
    | ((origin: string, ctx: Context<State>) => boolean);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Throws `HttpError(403)` for a cross-site unsafe request. */
export function csrf<State>(
  options: CsrfOptions<State> = {},
): Middleware<State> {
  const allowed = (origin: string | null, ctx: Context<State>): boolean => {
    if (origin === null) return false;
    const rule = options.origin;
    if (rule === undefined || rule === "") return origin === ctx.url.origin;
    if (typeof rule === "function") return rule(origin, ctx);
    return Array.isArray(rule) ? rule.includes(origin) : origin === rule;
  };
  return async function csrfMiddleware(ctx) {
    if (SAFE.has(ctx.req.method)) return await ctx.next();
    const site = ctx.req.headers.get("sec-fetch-site");
    const origin = ctx.req.headers.get("origin");
    const fromBrowserElsewhere = site !== null
      ? site !== "same-origin" && site !== "none"
      : origin !== null;
    if (fromBrowserElsewhere && !allowed(origin, ctx)) {
      throw new HttpError(403, "Cross-site request refused");
    }
    return await ctx.next();
  };
}
