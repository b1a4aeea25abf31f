/**
 * Every account API call that changes something (sign-up, token, session)
 * comes from this site or from no browser at all: a page on another site
 * could otherwise make its visitors' browsers create accounts or spend a
 * user's sign-in budget (a form post needs no CORS permission). The API
 * sends no CORS headers, so a foreign page could never read an answer
 * anyway; refusing the request keeps it from having effects.
 *
 * @module
 */

import { define } from "../../define.ts";
import { jsonError } from "../../accounts/api_http.ts";
import { isSameOrigin } from "../../accounts/session_cookie.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** 403 for a state-changing request sent from another site. */
export default define.middleware((ctx) => {
  if (!SAFE_METHODS.has(ctx.req.method) && !isSameOrigin(ctx.req)) {
    return jsonError(403, "Cross-site request refused");
  }
  return ctx.next();
});
