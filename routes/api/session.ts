/**
 * The page's sign-in: `GET` says who the cookie belongs to, `POST`
 * `{"username","password"}` (JSON or a plain HTML form) sets the HttpOnly
 * session cookie, `DELETE` clears it.
 *
 * @module
 */

import type { Handlers } from "../../web/route_types.ts";
import type { AppState } from "../../app_state.ts";
import {
  accountsOff,
  json,
  jsonError,
  localPath,
  readBody,
} from "../../accounts/api_http.ts";
import { signIn } from "../../accounts/sign_in.ts";
import {
  clearedSessionCookie,
  isSameOrigin,
  isSecureRequest,
  SESSION_COOKIE,
  sessionCookie,
} from "../../accounts/session_cookie.ts";
import { readCookie } from "../../hub/auth.ts";

/** Session cookie routes. */
export const handler: Handlers<AppState> = {
  async GET(ctx) {
    const principal = await ctx.state.users?.authenticate(ctx.req);
    if (principal) return json(200, { username: principal.userId });
    // A cookie that no longer verifies (expired, secret rotated) is dropped
    // here, so the browser stops sending it.
    const stale = readCookie(ctx.req.headers.get("cookie"), SESSION_COOKIE);
    const headers: Record<string, string> = stale === null
      ? {}
      : { "set-cookie": clearedSessionCookie(isSecureRequest(ctx.req)) };
    return json(200, { username: null }, headers);
  },

  async POST(ctx) {
    const services = ctx.state.users;
    if (!services?.builtin) return accountsOff();
    if (!isSameOrigin(ctx.req)) return jsonError(403, "Cross-site sign-in");
    const read = await readBody(ctx.req, services.builtin.limits);
    if (read instanceof Response) return read;
    const username = await signIn(services.builtin, read.body, ctx.remoteAddr);
    if (username instanceof Response) return username;
    const ttl = services.sessionTtlSeconds;
    const token = await services.builtin.tokens.issue(username, ttl);
    const cookie = sessionCookie(
      token.access_token,
      ttl,
      isSecureRequest(ctx.req),
    );
    if (read.form) {
      // A plain form post (no JavaScript) lands back on the page it came
      // from: `?next=` if it names a path of this site, else the home page.
      const location = localPath(ctx.url.searchParams.get("next"));
      return new Response(null, {
        status: 303,
        headers: { location, "set-cookie": cookie },
      });
    }
    return json(200, { username }, { "set-cookie": cookie });
  },

  DELETE(ctx) {
    if (!isSameOrigin(ctx.req)) return jsonError(403, "Cross-site sign-out");
    return new Response(null, {
      status: 204,
      headers: { "set-cookie": clearedSessionCookie(isSecureRequest(ctx.req)) },
    });
  },
};
