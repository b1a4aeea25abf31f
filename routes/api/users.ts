/**
 * `POST /api/users {"username","password"}`: sign up for a built-in
 * account. 201 created, 409 taken, 400 malformed, 429 throttled, 503 when
 * the account cap is reached or too many password hashes are waiting.
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
  serverBusy,
  tooManyRequests,
} from "../../accounts/api_http.ts";
import { ServerBusyError } from "../../accounts/hash_gate.ts";

/** Sign-up. */
export const handler: Handlers<AppState> = {
  async POST(ctx) {
    const users = ctx.state.users?.builtin;
    if (!users) return accountsOff();
    // Every sign-up costs a full password hash: throttle before parsing.
    const wait = users.throttle.attempt(ctx.remoteAddr);
    if (wait > 0) return tooManyRequests(wait);
    const read = await readBody(ctx.req, users.limits);
    if (read instanceof Response) return read;
    const credentials = parseCredentials(read.body);
    if (typeof credentials === "string") return jsonError(400, credentials);
    const result = await users.accounts.create(credentials).catch((error) => {
      if (error instanceof ServerBusyError) return "busy" as const;
      throw error;
    });
    if (result === "busy") return serverBusy();
    if (result === "taken") return jsonError(409, "Username is taken");
    if (result === "full") return jsonError(503, "No more accounts here");
    return json(201, { username: credentials.username });
  },
};
