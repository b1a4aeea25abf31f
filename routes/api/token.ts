/**
 * `POST /api/token {"username","password"}` →
 * `{"access_token","token_type":"Bearer","expires_in"}` for clients that
 * pass the token themselves (`accessTokenFactory`, `Authorization`).
 * 401 wrong credentials, 429 throttled.
 *
 * @module
 */

import type { Handlers } from "../../web/route_types.ts";
import type { AppState } from "../../app_state.ts";
import { accountsOff, json, readBody } from "../../accounts/api_http.ts";
import { signIn } from "../../accounts/sign_in.ts";

/** Token issue. */
export const handler: Handlers<AppState> = {
  async POST(ctx) {
    const users = ctx.state.users?.builtin;
    if (!users) return accountsOff();
    const read = await readBody(ctx.req, users.limits);
    if (read instanceof Response) return read;
    const username = await signIn(users, read.body, ctx.remoteAddr);
    if (username instanceof Response) return username;
    return json(200, await users.tokens.issue(username));
  },
};
