/**
 * The seam between a connection and the way its bytes travel (WebSocket,
 * Server-Sent Events, long polling). A transport only moves frames; the
 * connection owns queues, protocol and lifetime.
 *
 * @module
 */

import type { Payload } from "../protocol/hub_protocol.ts";

/** Transport names as negotiate lists them. */
export type TransportName = "WebSockets" | "ServerSentEvents" | "LongPolling";

/** One live transport of one connection. */
export interface Transport {
  /** Which transport this is. */
  readonly name: TransportName;
  /** Long polling keeps itself alive: no server pings, no client timeout. */
  readonly inherentKeepAlive: boolean;
  /** False for SSE, which carries text only. */
  readonly supportsBinary: boolean;
  /** Bytes written but not yet on the wire, for the slow-consumer bound. */
  bufferedAmount(): number;
  /** Sends one frame: whole messages only, never part of one. */
  write(frame: Payload): void;
  /** Ends the transport; the connection is told through `closed`. */
  close(): void;
  /**
   * True when the client is gone without a word (long polling: no poll for
   * the inactivity time). The heartbeat then drops the connection; a
   * socket-based transport learns this from its socket and says false.
   */
  abandoned(now: number): boolean;
  /**
   * Ends at once and forgets whatever waits to be sent: the client left
   * or is gone, so nobody will read it.
   */
  drop(): void;
}

/** What a transport reports to the hub about its connection. */
export interface TransportEvents {
  /** Data arrived from the client. */
  received(data: Payload): void;
  /**
   * The transport ended (by either side); called once, and never from
   * inside a call the hub made into the transport (`write`, `close`,
   * `drop`): the hub's state must not change under its own call.
   */
  closed(): void;
}
