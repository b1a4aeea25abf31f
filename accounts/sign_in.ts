/**
 * Checks a username and password under the login throttle; shared by
 * `POST /api/token` (bearer tokens) and `POST /api/session` (the cookie).
 *
 * @module
 */

import { MAX_PASSWORD_LENGTH } from "./password_hash.ts";
import { jsonError, serverBusy, tooManyRequests } from "./api_http.ts";
import { ServerBusyError } from "./hash_gate.ts";
import type { BuiltinAccounts } from "./user_services.ts";
import { USERNAME_PATTERN } from "./accounts.ts";

/**
 * The username when the credentials are right, else the response to send
 * (400 malformed, 401 wrong, 429 throttled, 503 too many hashes waiting).
 * Wrong shapes that could never match an account still count against the
 * limits, so probing costs the same as guessing. The attempt is spent
 * before the hash (see `LoginThrottle`), so concurrent requests get no
 * more guesses than sequential ones.
 */
export async function signIn(
  users: BuiltinAccounts,
  body: unknown,
  address: string,
): Promise<string | Response> {
  const fields = (typeof body === "object" && body !== null)
    ? body as Record<string, unknown>
    : {};
  const { username, password } = fields;
  if (typeof username !== "string" || typeof password !== "string") {
    return jsonError(400, "Expected string fields username and password");
  }
  if (password.length > MAX_PASSWORD_LENGTH || username.length > 64) {
    return jsonError(400, "Username or password too long");
  }
  const wait = users.throttle.attempt(address, username);
  if (wait > 0) return tooManyRequests(wait);
  let right = false;
  try {
    right = USERNAME_PATTERN.test(username) &&
      await users.accounts.verify({ username, password });
  } catch (error) {
    if (!(error instanceof ServerBusyError)) throw error;
    users.throttle.giveBack(username); // never checked: not a guess
    return serverBusy();
  }
  if (right) {
    users.throttle.giveBack(username);
    return username;
  }
  return jsonError(401, "Wrong username or password", {
    "www-authenticate": 'Bearer error="invalid_grant"',
  });
}
