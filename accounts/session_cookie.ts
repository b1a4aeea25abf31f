/**
 * The sign-in cookie of the app's own page.
 *
 * It holds a short-lived access token, so the hub verifies it exactly like
 * a bearer token. HttpOnly keeps page scripts (and XSS) from reading it;
 * SameSite=Lax keeps other sites' subrequests from sending it; Secure on
 * https keeps it off plain-text links. Cross-site WebSocket upgrades, which
 * SameSite does not cover, are refused by the hub's origin check.
 *
 * @module
 */

/** Name of the cookie; the hub's authenticator reads the same one. */
export const SESSION_COOKIE = "switchboard_session";

/**
 * True when the client reached us over https, directly or through a TLS
 * terminating proxy (Deno Deploy hands us https URLs already).
 */
export function isSecureRequest(request: Request): boolean {
  return new URL(request.url).protocol === "https:" ||
    request.headers.get("x-forwarded-proto") === "https";
}

/** `Set-Cookie` value that signs the browser in for `maxAgeSeconds`. */
export function sessionCookie(
  token: string,
  maxAgeSeconds: number,
  secure: boolean,
): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    `Max-Age=${maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** `Set-Cookie` value that signs the browser out. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}

/**
 * False for a browser request sent from another site: sign-in and
 * sign-out change the cookie, so a foreign page must not trigger them
 * (login CSRF). Requests with no `Origin` (curl, server code) pass.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === new URL(request.url).origin;
  return request.headers.get("sec-fetch-site") !== "cross-site";
}
