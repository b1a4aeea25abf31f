/**
 * `trailingSlashes()`, as in Fresh: one spelling per page, by redirecting
 * the other (`/about/` to `/about` with "never", the reverse with "always").
 *
 * @module
 */

import type { Middleware } from "./middleware.ts";

/** Redirects paths to the chosen trailing-slash form; `/` is left alone. */
export function trailingSlashes<State>(
  mode: "always" | "never",
): Middleware<State> {
  return function trailingSlashesMiddleware(ctx) {
    const { pathname, search } = ctx.url;
    if (pathname !== "/") {
      const slashed = pathname.endsWith("/");
      if (mode === "always" && !slashed) {
        return ctx.redirect(`${pathname}/${search}`);
      }
      if (mode === "never" && slashed) {
        return ctx.redirect(`${pathname.slice(0, -1)}${search}`);
      }
    }
    return ctx.next();
  };
}
