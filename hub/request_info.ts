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

/**
 * Held by every connection for its whole life, so it keeps only strings:
 * the URL's text and the headers as a flat name/value list (the strings
 * are the request's own). The `URL` and the `Headers` copy are made on
 * first use; an idle connection never pays for them (about 1.5 KB each,
 * measured at 5,000 connections).
 */
class OpeningRequest implements RequestInfo {
  readonly remoteAddress: string;
  readonly #href: string;
  readonly #pairs: string[];
  #url: URL | null = null;
  #headers: Headers | null = null;

  constructor(href: string, pairs: string[], remoteAddress: string) {
    this.#href = href;
    this.#pairs = pairs;
    this.remoteAddress = remoteAddress;
  }

  get url(): URL {
    return this.#url ??= new URL(this.#href);
  }

  get headers(): Headers {
    if (this.#headers === null) {
      const headers = new Headers();
      const pairs = this.#pairs;
      for (let i = 0; i < pairs.length; i += 2) {
        headers.append(pairs[i], pairs[i + 1]);
      }
      this.#headers = headers;
    }
    return this.#headers;
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

/**
 * Quick test before parsing: most URLs carry no token at all. A key may
 * be percent-encoded (`access%5Ftoken`), so any escape parses too.
 */
const MAY_HOLD_TOKEN = /access_token|%/i;

/** Captures `request` (read before a WebSocket upgrade consumes it). */
export function requestInfo(
  request: Request,
  remoteAddress: string | null,
): RequestInfo {
  let href = request.url;
  if (MAY_HOLD_TOKEN.test(href)) {
    const url = new URL(href);
    for (const key of [...url.searchParams.keys()]) {
      if (key.toLowerCase() === TOKEN_QUERY) url.searchParams.delete(key);
    }
    href = url.href;
  }
  const pairs: string[] = [];
  // Combined values (Set-Cookie apart), as a copy would hold. `forEach`,
  // not `for...of`: Deno's entry iterator cost about four times as much
  // (an iterator and a pair per header, on every connection opened).
  request.headers.forEach((value, name) => {
    pairs.push(name, value);
  });
  return new OpeningRequest(href, pairs, remoteAddress ?? "");
}

/** The client's IP for per-address limits; null when unknown (no TCP). */
export function clientAddress(
  info: Deno.ServeHandlerInfo | undefined,
): string | null {
  const addr = info?.remoteAddr as Deno.Addr | undefined;
  return addr && "hostname" in addr ? addr.hostname : null;
}
