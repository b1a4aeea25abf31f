/**
 * One timer for every connection: pings idle lines, closes silent clients,
 * expired tokens and stalled handshakes. A sweep over 10,000 connections
 * costs less than 10,000 timers would, and nothing is left to leak.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import type { CloseReason, HubConnection } from "./connection.ts";
import type { TransportConnection } from "./transport_connection.ts";
import type { ConnectionHandler } from "./connection_handler.ts";
import type { ConnectionStore } from "./connection_store.ts";
import { reconnectWindowOver, sweepStateful } from "./stateful_reconnect.ts";

/** The tick: a quarter of the shortest deadline, between 50 ms and 1 s. */
export function heartbeatInterval(options: ResolvedHubOptions): number {
  const shortest = Math.min(
    options.keepAliveIntervalMs,
    options.clientTimeoutMs,
    options.handshakeTimeoutMs,
    options.negotiateTimeoutMs,
    options.longPollInactivityMs,
  );
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
}

/** Where the sweep of the transport-level deadlines ends a connection. */
export interface LinkCleanup<C> {
  /** Cleanup now; `reason` when it was not ending already. */
  closed(connection: C, reason?: CloseReason): void;
}

/**
 * The deadlines every connection has, hub or raw: a transport whose client
 * is gone, a negotiate never followed by a transport, a close that never
 * completed. True when it ended the connection.
 */
export function sweepLink<C extends TransportConnection>(
  c: C,
  now: number,
  options: ResolvedHubOptions,
  cleanup: LinkCleanup<C>,
): boolean {
  const link = c.link;
  const transport = c.transport;
  if (transport !== null && transport.abandoned(now)) {
    // Nobody will read what waits: drop it with the connection.
    transport.drop();
    cleanup.closed(c);
    return true;
  }
  if (
    link.kind === "negotiated" && now - c.createdAt > options.negotiateTimeoutMs
  ) {
    cleanup.closed(c, "negotiate-timeout");
    return true;
  }
  if (link.kind === "closing" && now - link.since > options.closingGraceMs) {
    cleanup.closed(c);
    return true;
  }
  return false;
}

/** True when the connection's token expired at `now`. */
export function tokenExpired(c: TransportConnection, now: number): boolean {
  const expiresAt = c.principal?.expiresAt;
  return expiresAt !== undefined && now >= expiresAt;
}

/** Checks one hub connection's deadlines at time `now`. */
export function sweepConnection(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): void {
  if (sweepLink(c, now, options, handler)) return;
  const link = c.link;
  switch (link.kind) {
    case "attached":
      if (now - link.since > options.handshakeTimeoutMs) {
        handler.failHandshake(c, "Handshake was not completed in time.");
      }
      return;
    case "open":
      return sweepOpen(c, now, options, handler);
    case "suspended":
      if (reconnectWindowOver(c, now, options)) {
        handler.close(c, "reconnect-timeout");
      }
      return;
  }
}

function sweepOpen(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): void {
  if (tokenExpired(c, now)) {
    // Reconnect allowed: the client's token factory can bring a fresh one.
    handler.close(c, "token-expired", "The access token expired.", true);
    return;
  }
  if (c.replay && sweepStateful(c, now, options) === "stuck") {
    handler.slowConsumer(c);
    return;
  }
  const transport = c.transport;
  const protocol = c.protocol;
  if (transport === null || protocol === null) return;
  if (transport.inherentKeepAlive) return;
  if (now - c.lastReceived > options.clientTimeoutMs) {
    handler.close(
      c,
      "client-timeout",
      "Server timeout elapsed without receiving a message from the client.",
    );
  } else if (now - c.lastSent >= options.keepAliveIntervalMs) {
    c.send(handler.ping(protocol), false);
  }
}

/** Starts the sweep; returns a function that stops it. */
export function startHeartbeat(
  store: ConnectionStore<HubConnection>,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const c of store.values()) sweepConnection(c, now, options, handler);
  }, heartbeatInterval(options));
  return () => clearInterval(timer);
}
