/**
 * The browser side of the account API, for the UserPanel island.
 *
 * The session cookie is HttpOnly, so the page never sees the token: it
 * asks `/api/session` who it is and lets the browser carry the cookie to
 * the hub.
 *
 * @module
 */

/** The answer of an account call: ok, or the server's error text. */
export type ApiResult = { ok: true } | { ok: false; error: string };

/** Who the session cookie belongs to, or null when signed out. */
export async function whoAmI(): Promise<string | null> {
  const response = await fetch("/api/session", { credentials: "same-origin" });
  if (!response.ok) return null;
  const body = await response.json() as { username?: string | null };
  return body.username ?? null;
}

/** Creates an account (does not sign in). */
export function signUp(username: string, password: string): Promise<ApiResult> {
  return call("POST", "/api/users", { username, password });
}

/** Signs in: the server sets the HttpOnly session cookie. */
export function signIn(username: string, password: string): Promise<ApiResult> {
  return call("POST", "/api/session", { username, password });
}

/** Signs out: the server clears the cookie. */
export function signOut(): Promise<ApiResult> {
  return call("DELETE", "/api/session");
}

async function call(
  method: string,
  url: string,
  body?: unknown,
): Promise<ApiResult> {
  try {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return { ok: true };
    const error = await response.json().catch(() => null) as
      | { error?: string }
      | null;
    return { ok: false, error: error?.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
