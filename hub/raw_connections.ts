/**
 * The life of raw connections (`ConnectionServer`, ASP.NET's
 * `MapConnectionHandler`): no handshake and no hub protocol, just
 * messages in and out. Each connection is handed to the app's handler
 * once its transport is open; when the handler returns, the connection
 * ends, as in ASP.NET.
 *
 * Limits: an incoming message (WebSocket message or POST body) is at most
 * `maxMessageSize` bytes, unread incoming messages and unsent outgoing
 * bytes at most `maxQueuedBytes` each, and `messagesPerSecond` applies;
 * passing any of them closes the connection.
 *
 * @module
 */

import type {
  CloseReason,
  TransportConnection,
} from "./transport_connection.ts";
import type { ConnectionStore } from "./connection_store.ts";
import type { ResolvedHubOptions } from "./options.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { SlotCounter } from "./rate_limit.ts";
import type { UserIndex } from "./user_index.ts";
import type { RequestInfo } from "./request_info.ts";
import { MessageInbox } from "./message_inbox.ts";
import { ConnectionEvents } from "./connection_events.ts";
import { type Payload, payloadSize } from "./protocol/hub_protocol.ts";
import type {
  Transport,
  TransportEvents,
  TransportName,
} from "./transports/transport.ts";
import { text } from "./transports/http_requests.ts";
import { sweepLink, tokenExpired } from "./heartbeat.ts";

/** One raw connection as the app's handler sees it. */
export interface RawConnection {
  /** The public connection id. */
  readonly id: string;
  /** The request that opened the transport (no `access_token`). */
  readonly request: RequestInfo;
  /** The transport carrying it. */
  readonly transport: TransportName;
  /** The user id (a token's `sub`), or null when anonymous. */
  readonly userId: string | null;
  /** The verified claims, or null when anonymous. */
  readonly user: Readonly<Record<string, unknown>> | null;
  /**
   * What the client sends: text as strings, binary as bytes (over HTTP
   * transports a `text/*` POST is text). Ends when the connection does.
   * Read it once.
   */
  readonly messages: AsyncIterable<string | Uint8Array>;
  /**
   * Sends one message (a string as text, bytes as binary; SSE carries
   * text only). False once closed, or when the client is too slow (the
   * connection is then closed).
   */
  send(data: string | Uint8Array): boolean;
  /** Ends the connection. */
  close(): void;
}

/** What the app provides: called once per connection. */
export type ConnectionCallback = (connection: RawConnection) => unknown;

/** What the raw handler works with, owned by the `ConnectionServer`. */
export interface RawParts {
  readonly options: ResolvedHubOptions;
  readonly store: ConnectionStore<TransportConnection>;
  readonly users: UserIndex;
  readonly addresses: SlotCounter;
  /** Per-user connection counts; a slot is released at cleanup. */
  readonly userSlots: SlotCounter;
  readonly counters: HubCounters;
  readonly logger: Logger;
  readonly onConnection: ConnectionCallback;
}

class Live implements RawConnection {
  readonly inbox: MessageInbox;
  readonly #connection: TransportConnection;
  readonly #owner: RawConnections;
  readonly #request: RequestInfo;
  readonly #transport: TransportName;

  constructor(
    connection: TransportConnection,
    owner: RawConnections,
    opened: { request: RequestInfo; transport: TransportName; max: number },
  ) {
    this.#connection = connection;
    this.#owner = owner;
    this.#request = opened.request;
    this.#transport = opened.transport;
    this.inbox = new MessageInbox(opened.max);
  }

  get id(): string {
    return this.#connection.id;
  }
  get request(): RequestInfo {
    return this.#request;
  }
  get transport(): TransportName {
    return this.#transport;
  }
  get userId(): string | null {
    return this.#connection.userId;
  }
  get user(): Readonly<Record<string, unknown>> | null {
    return this.#connection.principal?.claims ?? null;
  }
  get messages(): AsyncIterable<string | Uint8Array> {
    return this.inbox;
  }

  send(data: string | Uint8Array): boolean {
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new TypeError("Send a string or a Uint8Array");
    }
    return this.#connection.sendDirect(data);
  }

  close(): void {
    this.#owner.close(this.#connection, "completed");
  }
}

/** Drives raw connections from transport open to cleanup. */
export class RawConnections {
  readonly #p: RawParts;
  /** Open connections' handler views; bounded by the store's cap. */
  readonly #live = new Map<TransportConnection, Live>();

  /** A handler over the `ConnectionServer`'s parts. */
  constructor(parts: RawParts) {
    this.#p = parts;
  }

  /** TransportSink: binds a transport; the handler starts once it is open. */
  attach(
    connection: TransportConnection,
    transport: Transport,
    request: RequestInfo,
  ): TransportEvents {
    const { options } = this.#p;
    const now = Date.now();
    // A raw frame is one message: frames, bytes and messages all count.
    connection.attach(transport, request, options, now);
    connection.open(now);
    const user = connection.userId;
    if (user !== null) this.#p.users.add(user, connection.id);
    const live = new Live(connection, this, {
      request,
      transport: transport.name,
      max: options.maxQueuedBytes,
    });
    this.#live.set(connection, live);
    this.#p.counters.connectionsOpened++;
    // A WebSocket drops writes until open: the server calls `opened`.
    if (transport.name !== "WebSockets") {
      queueMicrotask(() => this.opened(connection));
    }
    return new ConnectionEvents(this, connection, transport);
  }

  /** The transport can carry data: hand the connection to the app. */
  opened(connection: TransportConnection): void {
    const live = this.#live.get(connection);
    if (!live || connection.state !== "open") return;
    this.#p.logger.log("debug", "connection.open", {
      connectionId: connection.id,
      userId: connection.userId,
      transport: connection.transportName,
    });
    Promise.resolve()
      .then(() => this.#p.onConnection(live))
      .then(
        () => this.close(connection, "completed"),
        (error) => {
          this.#p.logger.log("error", "connection.handler_failed", { error });
          this.close(connection, "aborted");
        },
      );
  }

  /** Data from the client: one message, checked against the limits. */
  received(connection: TransportConnection, data: Payload): void {
    const live = this.#live.get(connection);
    if (!live || connection.state !== "open") return;
    const now = Date.now();
    connection.heard(now);
    const { options, counters } = this.#p;
    if (payloadSize(data) > options.maxMessageSize) {
      return this.#refuse(connection, "message-too-large");
    }
    const rate = connection.rate;
    if (
      rate && (rate.frame(payloadSize(data), now) || !rate.messages(1, now))
    ) {
      return this.#refuse(connection, "rate-limited");
    }
    if (!live.inbox.push(data)) {
      return this.#refuse(connection, "slow-consumer");
    }
    counters.messagesReceived++;
  }

  #refuse(connection: TransportConnection, reason: CloseReason): void {
    this.#p.counters.messagesDropped++;
    this.#p.logger.log("warn", `connection.${reason}`, {
      connectionId: connection.id,
    });
    this.close(connection, reason);
  }

  /** A POST body is one message: text for `text/*`, bytes otherwise. */
  async readBody(
    connection: TransportConnection,
    request: Request,
  ): Promise<Response> {
    const max = this.#p.options.maxMessageSize;
    const bytes = await readBounded(request, max);
    if (bytes === null) {
      this.#refuse(connection, "message-too-large");
      return text(413, `A message may be at most ${max} bytes`);
    }
    const type = request.headers.get("content-type") ?? "";
    const asText = type.toLowerCase().startsWith("text/");
    this.received(connection, asText ? new TextDecoder().decode(bytes) : bytes);
    return new Response(null, { status: 200 });
  }

  /** `transport` ended (either side). */
  transportClosed(connection: TransportConnection, transport: Transport): void {
    if (connection.transport === transport) this.closed(connection);
  }

  /** Ends the connection; cleanup follows when the transport is done. */
  close(connection: TransportConnection, reason: CloseReason): void {
    if (connection.state === "negotiated") {
      return this.closed(connection, reason);
    }
    connection.end(null, reason);
  }

  /** Leaves every map and ends the handler's messages. Runs once. */
  closed(
    connection: TransportConnection,
    reason: CloseReason = "transport-lost",
  ): void {
    if (!connection.finish(reason)) return;
    this.#p.store.delete(connection);
    const live = this.#live.get(connection);
    if (!live) return;
    this.#live.delete(connection);
    live.inbox.end();
    const user = connection.userId;
    if (user !== null) this.#p.users.remove(user, connection.id);
    this.#p.logger.log("debug", "connection.close", {
      connectionId: connection.id,
      reason: connection.closeReason,
    });
  }

  /** ConnectionOwner: a queue bound was passed. */
  slowConsumer(connection: TransportConnection): void {
    this.#p.counters.slowConsumerCloses++;
    this.close(connection, "slow-consumer");
  }

  /** ConnectionOwner: the connection's address slot is free again. */
  addressFree(address: string): void {
    this.#p.addresses.release(address);
  }

  /** ConnectionOwner: the connection's user slot is free again. */
  userFree(userId: string): void {
    this.#p.userSlots.release(userId);
  }

  /** ConnectionOwner: counts messages handed to a transport. */
  sent(count: number): void {
    this.#p.counters.messagesSent += count;
  }

  /** The heartbeat's check of one connection at `now`. */
  sweep(c: TransportConnection, now: number): void {
    if (sweepLink(c, now, this.#p.options, this)) return;
    if (c.state === "open" && tokenExpired(c, now)) {
      this.close(c, "token-expired");
    }
  }
}

/** The body's bytes, or null when it is longer than `max`. */
async function readBounded(
  request: Request,
  max: number,
): Promise<Uint8Array | null> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return null;
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
