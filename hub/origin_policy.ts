/**
 * Which browser origins may talk to the hub, and the CORS headers they
 * get. Closing cross-site WebSocket hijacking: a page on another site
 * could otherwise open a socket that carries the victim's cookies. A
 * request without `Origin` is not a browser page's, so it passes.
 *
 * @module
 */

/** The verdict on a request's `Origin`. */
export type OriginVerdict =
  | { readonly allowed: true; readonly cors: Headers | null }
  | { readonly allowed: false };

/**
 * Allows no origin, the server's own (same host), or one listed. Listed
 * cross-origin requests get credentialed CORS headers echoing the exact
 * origin: `*` is not allowed with credentials, which the client sends.
 */
export function checkOrigin(
  request: Request,
  url: URL,
  allowedOrigins: readonly string[],
): OriginVerdict {
  const origin = request.headers.get("origin");
  if (origin === null) return { allowed: true, cors: null };
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return { allowed: false };
  }
  if (host === url.host) return { allowed: true, cors: null };
  if (!allowedOrigins.includes(origin)) return { allowed: false };
  const cors = new Headers({
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    "vary": "Origin",
  });
  return { allowed: true, cors };
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflight(request: Request, cors: Headers | null): Response {
  const headers = new Headers(cors ?? undefined);
  headers.set("access-control-allow-methods", "GET, POST, DELETE, OPTIONS");
  headers.set(
    "access-control-allow-headers",
    request.headers.get("access-control-request-headers") ??
      "authorization, content-type, x-requested-with, x-signalr-user-agent",
  );
  headers.set("access-control-max-age", "600");
  return new Response(null, { status: 204, headers });
}

/** Copies CORS headers onto a response (every status, 204 and 404 too). */
export function withCors(response: Response, cors: Headers | null): Response {
  // A WebSocket upgrade needs no CORS, and Deno 2.5 (Deploy) makes its
  // headers immutable: setting them would throw and break the upgrade.
  if (cors === null || response.status === 101) return response;
  for (const [k, v] of cors) response.headers.set(k, v);
  return response;
}

/** `ALLOWED_ORIGINS` ("https://a.example, https://b.example") as a list. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}
