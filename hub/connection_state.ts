/**
 * The states of a transport-level connection, one object each, so what
 * exists only in some states (the transport, when it got there, why it
 * ended) can only be read there.
 *
 * ```
 *  negotiated ──attach──▶ attached ──open──▶ open ──end──▶ closing ──finish──▶ closed
 *      │                     │  (hub handshake)  │ ▲                              ▲
 *      │                     └──────end──────────┼─┼──────▶ closing             │
 *      │                                suspend  │ │ resume                      │
 *      │                                         ▼ │                             │
 *      │                                      suspended ───────finish────────────┤
 *      └──────────────────────finish (negotiate timeout)─────────────────────────┘
 * ```
 *
 * `suspended` exists only with stateful reconnect: the socket dropped and
 * sends go to the replay buffer until the client comes back on a new one.
 *
 * @module
 */

import type { Transport } from "./transports/transport.ts";

/** Why a connection ended; `reconnect` ones tell the client to come back. */
export type CloseReason =
  | "client-closed"
  | "transport-lost"
  | "protocol-error"
  | "handshake-timeout"
  | "negotiate-timeout"
  | "client-timeout"
  | "token-expired"
  | "slow-consumer"
  | "message-too-large"
  | "aborted"
  | "rate-limited"
  | "pending-overflow"
  | "reconnect-timeout"
  | "admin"
  | "shutdown"
  // A raw connection's handler (ConnectionServer) returned.
  | "completed";

/** Negotiated, no transport yet. */
export interface Negotiated {
  readonly kind: "negotiated";
}

/** A transport is bound; messages do not flow yet (a hub's handshake). */
export interface Attached {
  readonly kind: "attached";
  readonly transport: Transport;
  /** When the transport attached (the handshake deadline counts from it). */
  readonly since: number;
}

/** Messages flow both ways. */
export interface Open {
  readonly kind: "open";
  readonly transport: Transport;
  /** When this transport attached (the ack deadline counts from it). */
  readonly since: number;
}

/** Stateful reconnect: the socket dropped; sends go to the replay buffer. */
export interface Suspended {
  readonly kind: "suspended";
  /** When the socket dropped (the reconnect window counts from it). */
  readonly since: number;
  /** A new socket that has not spoken yet, or null. */
  readonly transport: Transport | null;
  /** When that socket attached. */
  readonly transportSince: number;
}

/** Ending: a last message may be on its way; the transport is closing. */
export interface Closing {
  readonly kind: "closing";
  readonly transport: Transport | null;
  readonly since: number;
  readonly reason: CloseReason;
}

/** Over: left every map. */
export interface Closed {
  readonly kind: "closed";
  readonly reason: CloseReason;
}

/** Where a transport-level connection is in its life. */
export type LinkState =
  | Negotiated
  | Attached
  | Open
  | Suspended
  | Closing
  | Closed;

/** The names of the states. */
export type LinkStateName = LinkState["kind"];

/** The one negotiated state every new connection shares. */
export const NEGOTIATED: Negotiated = Object.freeze({ kind: "negotiated" });
