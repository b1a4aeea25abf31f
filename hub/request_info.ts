/**
 * What the request that opened a connection carried (the WebSocket
 * upgrade, the SSE `GET`, or the first long-poll `GET`), kept for the
 * connection's life like ASP.NET's `Context.GetHttpContext()`.
 *
 * The `access_token` query value is removed from the URL: the connection
 * outlives the token, and URLs end up in logs. Headers are kept whole (an
 * app may need a header's value) but serialize without `Authorization`
 * and `Cookie` values, so logging `ctx.request` cannot leak them.
 *
 * @module
 */

/** The opening request of a connection, as `ctx.request` shows it. */
export interface RequestInfo {
  /** The URL, without the `access_token` query value. */
  readonly url: URL;
  /** The request headers (a copy). */
  readonly headers: Headers;
  /** The client's IP address, or "" when unknown (no TCP peer). */
  readonly remoteAddress: string;
}

/** Headers whose values never appear when the request is serialized. */
const SECRET_HEADERS = new Set(["authorization", "cookie"]);

/** The query key SignalR clients put tokens in (matched case-insensitively). */
const TOKEN_QUERY = "access_token";

class OpeningRequest implements RequestInfo {
  readonly url: URL;
  readonly headers: Headers;
  readonly remoteAddress: string;

  constructor(url: URL, headers: Headers, remoteAddress: string) {
    this.url = url;
    this.headers = headers;
    this.remoteAddress = remoteAddress;
  }

  /** For `JSON.stringify` (loggers): secret header values redacted. */
  toJSON(): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const [name, value] of this.headers) {
      headers[name] = SECRET_HEADERS.has(name) ? "[redacted]" : value;
    }
    return {
      url: this.url.href,
      headers,
      remoteAddress: this.remoteAddress,
    };
  }
}

/** Captures `request` (read before a WebSocket upgrade consumes it). */
export function requestInfo(
  request: Request,
  remoteAddress: string | null,
): RequestInfo {
  const url = new URL(request.url);
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase() === TOKEN_QUERY) url.searchParams.delete(key);
  }
  return new OpeningRequest(
    url,
    new Headers(request.headers),
    remoteAddress ?? "",
  );
}

/** The client's IP for per-address limits; null when unknown (no TCP). */
export function clientAddress(
  info: Deno.ServeHandlerInfo | undefined,
): string | null {
  const addr = info?.remoteAddr as Deno.Addr | undefined;
  return addr && "hostname" in addr ? addr.hostname : null;
}
