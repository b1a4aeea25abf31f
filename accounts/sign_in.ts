/**
 * Checks a username and password under the login throttle; shared by
 * `POST /api/token` (bearer tokens) and `POST /api/session` (the cookie).
 *
 * @module
 */

import { MAX_PASSWORD_LENGTH } from "./password_hash.ts";
import { jsonError, tooManyRequests } from "./api_http.ts";
import type { BuiltinAccounts } from "./user_services.ts";
import { USERNAME_PATTERN } from "./accounts.ts";

/**
 * The username when the credentials are right, else the response to send
 * (400 malformed, 401 wrong, 429 throttled). Wrong shapes that could never
 * match an account still count against the limits, so probing costs the
 * same as guessing.
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
  const plausible = USERNAME_PATTERN.test(username);
  if (plausible && await users.accounts.verify({ username, password })) {
    return username;
  }
  users.throttle.failed(username);
  return jsonError(401, "Wrong username or password", {
    "www-authenticate": 'Bearer error="invalid_grant"',
  });
}
