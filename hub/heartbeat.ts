/**
 * One timer for every connection: pings idle lines, closes silent clients,
 * expired tokens and stalled handshakes. A sweep over 10,000 connections
 * costs less than 10,000 timers would, and nothing is left to leak.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import type { HubConnection } from "./connection.ts";
import type { ConnectionHandler } from "./connection_handler.ts";
import type { ConnectionStore } from "./connection_store.ts";
import { reconnectWindowOver, sweepStateful } from "./stateful_reconnect.ts";
import { LongPollingTransport } from "./transports/long_polling.ts";

/** How long a closing transport may take before cleanup is forced. */
const CLOSING_GRACE_MS = 5_000;

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

/** Checks one connection's deadlines at time `now`. */
export function sweepConnection(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): void {
  const transport = c.transport;
  if (transport instanceof LongPollingTransport && transport.expired(now)) {
    // No poll for the inactivity time: the client is gone; nobody will
    // read what waits, so drop it with the connection.
    transport.discard();
    transport.close();
    handler.closed(c);
    return;
  }
  switch (c.state) {
    case "negotiated":
      if (now - c.createdAt > options.negotiateTimeoutMs) {
        c.closeReason = "negotiate-timeout";
        handler.closed(c);
      }
      return;
    case "handshaking":
      if (now - c.transportAt > options.handshakeTimeoutMs) {
        handler.failHandshake(c, "Handshake was not completed in time.");
      }
      return;
    case "closing":
      if (now - c.closingAt > CLOSING_GRACE_MS) handler.closed(c);
      return;
    case "connected":
      return sweepConnected(c, now, options, handler);
    case "disconnected":
      if (reconnectWindowOver(c, now, options)) {
        handler.close(c, "reconnect-timeout");
      }
      return;
  }
}

function sweepConnected(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): void {
  const expiresAt = c.principal?.expiresAt;
  if (expiresAt !== undefined && now >= expiresAt) {
    // Reconnect allowed: the client's token factory can bring a fresh one.
    handler.close(c, "token-expired", "The access token expired.", true);
    return;
  }
  if (c.replay && sweepStateful(c, now, options) === "stuck") {
    handler.slowConsumer(c);
    return;
  }
  if (c.transport?.inherentKeepAlive) return;
  if (now - c.lastReceived > options.clientTimeoutMs) {
    handler.close(
      c,
      "client-timeout",
      "Server timeout elapsed without receiving a message from the client.",
    );
  } else if (now - c.lastSent >= options.keepAliveIntervalMs) {
    c.send(handler.ping(c.protocol!), false);
  }
}

/** Starts the sweep; returns a function that stops it. */
export function startHeartbeat(
  store: ConnectionStore,
  options: ResolvedHubOptions,
  handler: ConnectionHandler,
): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const c of store.values()) sweepConnection(c, now, options, handler);
  }, heartbeatInterval(options));
  return () => clearInterval(timer);
}
