/**
 * The request routing every endpoint (a hub, a raw connection server)
 * shares: the origin check and CORS, 503 while draining, the path matched
 * case-insensitively as ASP.NET's routing does, then negotiate, the
 * WebSocket upgrade, or the HTTP transports.
 *
 * @module
 */

import { queryValue } from "./query_value.ts";
import { checkOrigin, preflight, withCors } from "./origin_policy.ts";
import { clientAddress } from "./request_info.ts";
import { text } from "./transports/http_requests.ts";

type Answer = Promise<Response> | Response;
type Route = (request: Request, url: URL, address: string | null) => Answer;

/** What an endpoint answers, and how. */
export interface EndpointRoutes {
  /** The mount path without a trailing slash, e.g. "/chart". */
  readonly path: string;
  readonly allowedOrigins: readonly string[];
  /** False while draining: only live connections' polls and sends pass. */
  accepting(): boolean;
  /** A counted, logged refusal. */
  refuse(status: number, message: string, why: string): Response;
  negotiate: Route;
  websocket: Route;
  /** SSE, long polls, sends and DELETE. */
  http: Route;
}

/** True when `url` is at `path` or below it, in any letter case. */
export function pathMatches(path: string, url: URL): boolean {
  const key = path.toLowerCase();
  const p = url.pathname.toLowerCase();
  return p === key || p.startsWith(key + "/");
}

/** Answers one request under an endpoint's path. */
export async function answerEndpoint(
  routes: EndpointRoutes,
  request: Request,
  info: Deno.ServeHandlerInfo | undefined,
): Promise<Response> {
  const url = new URL(request.url);
  const verdict = checkOrigin(request, url, routes.allowedOrigins);
  if (!verdict.allowed) {
    return routes.refuse(403, "Origin not allowed", "origin");
  }
  if (request.method === "OPTIONS") return preflight(request, verdict.cors);
  const response = await route(routes, request, url, clientAddress(info));
  return withCors(response, verdict.cors);
}

function route(
  routes: EndpointRoutes,
  request: Request,
  url: URL,
  address: string | null,
): Answer {
  // While draining, polls and sends of live connections still pass, so
  // a long-polling client between two polls gets its Close.
  const upgrade = request.headers.get("upgrade");
  const live = upgrade === null && queryValue(url, "id") !== null;
  if (!routes.accepting() && !live) {
    return routes.refuse(503, "Server is not accepting connections", "closing");
  }
  const rest = url.pathname.slice(routes.path.length).toLowerCase();
  if (rest === "/negotiate") return routes.negotiate(request, url, address);
  if (rest !== "" && rest !== "/") return text(404, "Not found");
  if (upgrade?.toLowerCase() === "websocket") {
    return routes.websocket(request, url, address);
  }
  return routes.http(request, url, address);
}
