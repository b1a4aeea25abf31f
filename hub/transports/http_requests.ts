/**
 * The non-WebSocket requests on a hub's path: the SSE stream, long polls,
 * client→server POSTs and the long-polling DELETE, with the exact status
 * rules of docs/protocol.md, HTTP surface. Transports only move frames; everything
 * else stays on the shared connection model.
 *
 * @module
 */

import type { Payload } from "../protocol/hub_protocol.ts";
import type { Principal } from "../principal.ts";
import { queryValue } from "../query_value.ts";
import { ServerSentEventsTransport } from "./server_sent_events.ts";
import { firstPollResponse, LongPollingTransport } from "./long_polling.ts";
import type { Transport, TransportEvents, TransportName } from "./transport.ts";
import { type RequestInfo, requestInfo } from "../request_info.ts";

/** What the HTTP transports need of a connection (hub or raw). */
export interface HttpConnection {
  /** The transport carrying it now, or null. */
  readonly transport: Transport | null;
  /**
   * "negotiated" before any transport; "attached" (a hub's handshake) and
   * "open" while the client's data is taken; the others after.
   */
  readonly state:
    | "negotiated"
    | "attached"
    | "open"
    | "suspended"
    | "closing"
    | "closed";
  /** The client's data is text (a text hub protocol); bytes otherwise. */
  readonly textInput: boolean;
  /** Takes a later request's principal; false when it names another user. */
  adopt(principal: Principal | null): boolean;
  /** Ends the connection, sending `last` first when it is not null. */
  end(last: null, reason: "client-closed"): void;
}

/** Where a connection's transport and data go (a hub or a raw handler). */
export interface TransportSink<C> {
  /** Binds a transport, opened by `request`, to a negotiated connection. */
  attach(
    connection: C,
    transport: Transport,
    request: RequestInfo,
  ): TransportEvents;
  /** Data from the client. */
  received(connection: C, data: Payload): void;
}

/**
 * The limits the HTTP transports read, a slice of the hub's resolved
 * options declared here so transports do not depend on the options layer.
 */
export interface HttpTransportLimits {
  readonly transports: readonly TransportName[];
  readonly pollTimeoutMs: number;
  readonly longPollInactivityMs: number;
  readonly maxQueuedBytes: number;
}

/** What the hub server lends the HTTP transports. */
export interface HttpTransportHost<C extends HttpConnection> {
  readonly options: HttpTransportLimits;
  readonly handler: TransportSink<C>;
  /**
   * Reads a POST body into the connection. Default: streamed chunk by
   * chunk into the hub protocol's decoder (see `send`).
   */
  readBody?(connection: C, request: Request): Promise<Response>;
  /** The live connection for a secret token. */
  byToken(token: string): C | undefined;
  /**
   * The caller (null: anonymous), or the refusal to answer with (401 for
   * a bad token, 403 when the hub's authorize rule refuses the caller).
   */
  admit(request: Request): Promise<Principal | null | Response>;
  /** A counted, logged refusal. */
  refuse(status: number, message: string, why: string): Response;
}

/** A plain-text answer: every refusal on the hub's path is one. */
export function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/** Answers GET (SSE or long poll), POST (send) and DELETE on the hub path. */
export async function serveHttpTransport<C extends HttpConnection>(
  host: HttpTransportHost<C>,
  request: Request,
  url: URL,
  address: string | null,
): Promise<Response> {
  const method = request.method;
  if (method !== "GET" && method !== "POST" && method !== "DELETE") {
    return text(405, "Method not allowed");
  }
  const token = queryValue(url, "id");
  if (token === null) return text(400, "Connection ID required");
  const principal = await host.admit(request);
  if (principal instanceof Response) return principal;
  const connection = host.byToken(token);
  if (!connection) return text(404, "No Connection with that ID");
  // Each request carries a current token; a refreshed one moves expiry.
  if (!connection.adopt(principal)) {
    return host.refuse(403, "Not the user that negotiated", "auth");
  }
  if (method === "POST") return await send(host, request, connection);
  if (method === "DELETE") return remove(connection);
  const sse = request.headers.get("accept")?.includes("text/event-stream");
  // Kept by the request that opens the transport (the first GET) only.
  const opening = () => requestInfo(request, address);
  return sse
    ? serverSentEvents(host, connection, opening)
    : longPoll(host, connection, opening);
}

function offered<C extends HttpConnection>(
  host: HttpTransportHost<C>,
  name: TransportName,
): boolean {
  return host.options.transports.includes(name);
}

/** An active connection's transport may not change (400), nor double (409). */
function busy(connection: HttpConnection, name: TransportName): Response {
  return connection.transport?.name === name
    ? text(409, "Connection already has an active request")
    : text(400, "Cannot change transports mid-connection");
}

function serverSentEvents<C extends HttpConnection>(
  host: HttpTransportHost<C>,
  connection: C,
  opening: () => RequestInfo,
): Response {
  if (!offered(host, "ServerSentEvents")) {
    return text(404, "ServerSentEvents is not offered by this hub");
  }
  if (connection.state !== "negotiated") {
    return busy(connection, "ServerSentEvents");
  }
  const transport = new ServerSentEventsTransport();
  transport.bind(host.handler.attach(connection, transport, opening()));
  return transport.response;
}

function longPoll<C extends HttpConnection>(
  host: HttpTransportHost<C>,
  connection: C,
  opening: () => RequestInfo,
): Response | Promise<Response> {
  const current = connection.transport;
  if (current instanceof LongPollingTransport) return current.poll();
  if (!offered(host, "LongPolling")) {
    return text(404, "LongPolling is not offered by this hub");
  }
  if (connection.state !== "negotiated") return busy(connection, "LongPolling");
  const { options } = host;
  const transport = new LongPollingTransport({
    pollTimeoutMs: options.pollTimeoutMs,
    inactivityMs: options.longPollInactivityMs,
    // Twice the connection's own bound: that one closes a slow consumer
    // first; this one only catches a final message past it.
    maxBufferedBytes: 2 * options.maxQueuedBytes,
  });
  transport.bind(host.handler.attach(connection, transport, opening()));
  // The first poll starts the connection and answers at once.
  return firstPollResponse();
}

/**
 * Client→server data. A body may hold several records or part of one, so
 * it streams into the connection's decoder chunk by chunk; text protocols
 * get text (decoded across chunk edges), binary ones bytes.
 */
async function send<C extends HttpConnection>(
  host: HttpTransportHost<C>,
  request: Request,
  connection: C,
): Promise<Response> {
  const transport = connection.transport;
  if (transport?.name === "WebSockets") {
    return text(405, "POST requests are not allowed for WebSocket connections");
  }
  if (transport === null) return text(400, "No transport is active yet");
  if (!live(connection)) return text(404, "No Connection with that ID");
  if (host.readBody) return host.readBody(connection, request);
  const body = request.body;
  if (body === null) {
    // Empty still counts as a frame: a flood of empty POSTs is a flood.
    host.handler.received(connection, "");
    return new Response(null, { status: 200 });
  }
  // The handshake (JSON text even for MessagePack) goes as bytes: the
  // reader handles both, and what follows it keeps its binary form.
  const asText = connection.textInput;
  const decoder = asText ? new TextDecoder() : null;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!live(connection)) break;
      host.handler.received(
        connection,
        decoder ? decoder.decode(value, { stream: true }) : value,
      );
    }
    const tail = decoder?.decode();
    if (tail && live(connection)) host.handler.received(connection, tail);
  } catch {
    // The client went away mid-body; the connection's own checks decide.
  } finally {
    reader.releaseLock();
  }
  return new Response(null, { status: 200 });
}

function live(connection: HttpConnection): boolean {
  return connection.state === "attached" || connection.state === "open";
}

/** DELETE: the long-polling client is leaving; its parked poll gets 204. */
function remove(connection: HttpConnection): Response {
  const transport = connection.transport;
  if (!(transport instanceof LongPollingTransport)) {
    return text(
      400,
      "Cannot terminate this connection using the DELETE endpoint",
    );
  }
  transport.discard();
  connection.end(null, "client-closed");
  transport.close();
  return new Response(null, { status: 202 });
}
