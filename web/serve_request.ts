/**
 * One request through a prepared app: route lookup, the middleware chain,
 * and the last-resort answers (404, 405 with `Allow`, OPTIONS, and the
 * plain error response when no error page took the error).
 *
 * @module
 */

import { Context } from "./context.ts";
import { type Middleware, runChain } from "./middleware.ts";
import type { Method } from "./handlers.ts";
import type { RouteMatch, Router } from "./router.ts";
import type { Site } from "./site.ts";
import { HttpError, STATUS_TEXT } from "./http_error.ts";

/** What `app.handler()` returns. */
export type AppHandler = (
  req: Request,
  info?: Deno.ServeHandlerInfo,
) => Promise<Response>;

/** The parts of a prepared app a request needs. */
export interface ServeParts<State> {
  readonly router: Router<Middleware<State>[]>;
  /** Runs for paths no route matches (root middleware, then 404). */
  readonly rootChain: Middleware<State>[];
  readonly site: Site;
  /** Told of errors no error page answered. */
  readonly onError: (error: unknown, url: URL) => void;
}

/** Peer info for requests handled without a connection (tests). */
const LOCAL_INFO = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 0 },
  completed: Promise.resolve(),
} as unknown as Deno.ServeHandlerInfo;

/** The request handler of a prepared app. */
export function serveRequest<State>(parts: ServeParts<State>): AppHandler {
  return async (req, info = LOCAL_INFO) => {
    const url = URL.parse(req.url);
    // A Host header no URL can hold (`[::zz`, `a b`): the client's error.
    // Thrown, it reached Deno's default handler, which printed the whole
    // URL, query tokens included, past the app's redacting logger.
    if (url === null) return new Response("Bad Request", { status: 400 });
    // Folded so `//evil.example` can never become a redirect target;
    // set only when needed, since setting it re-parses the URL.
    if (url.pathname.includes("//")) {
      url.pathname = url.pathname.replace(/\/+/g, "/");
    }
    const method = req.method.toUpperCase() as Method;
    const match = parts.router.match(method, url.pathname);
    const tail = lastResort(match, method);
    const ctx = new Context<State>({
      req,
      url,
      info,
      route: match.pattern,
      params: match.params,
      next: tail,
      site: parts.site,
    });
    let res: Response;
    try {
      res = await runChain(ctx, match.item ?? parts.rootChain, tail);
    } catch (error) {
      ctx.error = error;
      parts.onError(error, url);
      res = plainError(error);
    }
    if (
      res.status === 405 && match.allowed.length > 0 &&
      !res.headers.has("allow")
    ) {
      res = withHeader(res, "allow", match.allowed.join(", "));
    }
    return method === "HEAD" ? new Response(null, res) : res;
  };
}

/** What `next()` does past the last middleware: 404, 405 or OPTIONS. */
function lastResort<T>(
  match: RouteMatch<T>,
  method: Method,
): () => Promise<Response> {
  if (match.pattern === null) return () => Promise.reject(new HttpError(404));
  if (method === "OPTIONS") {
    return () =>
      Promise.resolve(
        new Response(null, {
          status: 204,
          headers: { allow: match.allowed.join(", ") },
        }),
      );
  }
  return () => Promise.reject(new HttpError(405));
}

function plainError(error: unknown): Response {
  if (error instanceof HttpError) {
    const text = error.message || STATUS_TEXT[error.status] || "Error";
    return new Response(text, { status: error.status });
  }
  return new Response("Internal server error", { status: 500 });
}

function withHeader(res: Response, name: string, value: string): Response {
  const headers = new Headers(res.headers);
  headers.set(name, value);
  return new Response(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}
