/**
 * `POST /api/users {"username","password"}`: sign up for a built-in
 * account. 201 created, 409 taken, 400 malformed, 429 throttled, 503 when
 * the account cap is reached.
 *
 * @module
 */

import type { Handlers } from "../../web/route_types.ts";
import type { AppState } from "../../app_state.ts";
import { parseCredentials } from "../../accounts/accounts.ts";
import {
  accountsOff,
  json,
  jsonError,
  readBody,
  tooManyRequests,
} from "../../accounts/api_http.ts";

/** Sign-up. */
export const handler: Handlers<AppState> = {
  async POST(ctx) {
    const users = ctx.state.users?.builtin;
    if (!users) return accountsOff();
    // Every sign-up costs a full password hash: throttle before parsing.
    const wait = users.throttle.attempt(ctx.remoteAddr);
    if (wait > 0) return tooManyRequests(wait);
    const read = await readBody(ctx.req);
    if (read instanceof Response) return read;
    const credentials = parseCredentials(read.body);
    if (typeof credentials === "string") return jsonError(400, credentials);
    const result = await users.accounts.create(credentials);
    if (result === "taken") return jsonError(409, "Username is taken");
    if (result === "full") return jsonError(503, "No more accounts here");
    return json(201, { username: credentials.username });
  },
};
