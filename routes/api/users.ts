/**
 * `POST /api/users {"username","password"}`: sign up for a built-in
 * account. 201 created, 409 taken, 400 malformed, 429 throttled, 503 when
 * the account cap is reached or too many password hashes are waiting.
 *
 * @module
 */

import { define } from "../../define.ts";
import { parseCredentials } from "../../accounts/accounts.ts";
import {
  accountsOff,
  json,
  jsonError,
  peerAddress,
  readBody,
  serverBusy,
  tooManyRequests,
} from "../../accounts/api_http.ts";
import { ServerBusyError } from "../../accounts/hash_gate.ts";

/** Sign-up. */
export const handler = define.handlers({
  async POST(ctx) {
    const users = ctx.state.users?.builtin;
    if (!users) return accountsOff();
    // Every sign-up costs a full password hash: throttle before parsing.
    const wait = users.throttle.attempt(peerAddress(ctx.info));
    if (wait > 0) return tooManyRequests(wait);
    const read = await readBody(ctx.req, users.limits);
    if (read instanceof Response) return read;
    const credentials = parseCredentials(read.body);
    if (typeof credentials === "string") return jsonError(400, credentials);
    // An administrator's name is not up for grabs: whoever signed up first
    // would own /admin. Operators create it with `deno task add-user`.
    if (ctx.state.admins?.has(credentials.username)) {
      return jsonError(403, "This username is reserved");
    }
    const result = await users.accounts.create(credentials).catch((error) => {
      if (error instanceof ServerBusyError) return "busy" as const;
      throw error;
    });
    if (result === "busy") return serverBusy();
    if (result === "taken") return jsonError(409, "Username is taken");
    if (result === "full") return jsonError(503, "No more accounts here");
    return json(201, { username: credentials.username });
  },
});
