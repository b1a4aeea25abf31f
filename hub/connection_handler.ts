/**
 * The life of a hub connection once a transport carries it: handshake
 * with a deadline, then messages (incoming_messages.ts), stateful
 * reconnect's suspend and resume, Close, and cleanup that runs exactly
 * once. Transports report here; the dispatcher runs methods.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import { type CloseReason, HubConnection } from "./connection.ts";
import type { TransportConnection } from "./transport_connection.ts";
import type { ConnectionStore } from "./connection_store.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { HubDefinition } from "./hub_definition.ts";
import type { LifetimeManager } from "./lifetime_manager.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type { ClientResults } from "./client_results.ts";
import type { HubGroups } from "./clients.ts";
import type { RequestInfo } from "./request_info.ts";
import {
  ConnectionContext,
  type ContextServices,
} from "./connection_context.ts";
import {
  type HubProtocol,
  type Payload,
  payloadSize,
} from "./protocol/hub_protocol.ts";
import { type HubMessage, MessageType } from "./protocol/messages.ts";
import { handshakeError, HandshakeReader } from "./protocol/handshake.ts";
import type { Transport, TransportEvents } from "./transports/transport.ts";
import {
  type InputLimit,
  rateLimitError,
  type SlotCounter,
} from "./rate_limit.ts";
import { ConnectionEvents } from "./connection_events.ts";
import { EncodedMessage } from "./encoded_message.ts";
import { handshakeStep } from "./connection_handshake.ts";
import { type Closer, IncomingMessages } from "./incoming_messages.ts";
import { LifetimeHooks } from "./lifetime_hooks.ts";

/** Everything the handler works with, owned by the hub server. */
export interface HandlerParts {
  readonly hub: HubDefinition;
  readonly options: ResolvedHubOptions;
  readonly store: ConnectionStore<HubConnection>;
  readonly manager: LifetimeManager;
  readonly dispatcher: Dispatcher;
  readonly groups: HubGroups;
  readonly counters: HubCounters;
  readonly logger: Logger;
  /** Pending client-result calls; the clients' answers go here. */
  readonly results: ClientResults;
  /** Per-address connection counts; a slot is released at cleanup. */
  readonly addresses?: SlotCounter;
  /** Per-user connection counts; a slot is released at cleanup. */
  readonly userSlots?: SlotCounter;
  /** Spans of the hooks and connection metrics, when OpenTelemetry is on. */
  readonly telemetry?: HubTelemetry;
}

/** Drives hub connections from transport open to cleanup. */
export class ConnectionHandler implements Closer {
  readonly #p: HandlerParts;
  /** The Ping, encoded once per protocol and shared by every connection. */
  readonly #ping = new EncodedMessage({ type: MessageType.Ping });
  readonly #services: ContextServices;
  readonly #incoming: IncomingMessages;
  readonly #hooks: LifetimeHooks;
  /** Null while OpenTelemetry is off. */
  readonly #telemetry: HubTelemetry | null;

  /** A handler over the hub server's parts. */
  constructor(parts: HandlerParts) {
    this.#p = parts;
    const { hub, options, logger } = parts;
    this.#hooks = new LifetimeHooks(
      hub,
      options.filters,
      logger,
      parts.telemetry,
    );
    this.#telemetry = parts.telemetry?.enabled ? parts.telemetry : null;
    this.#incoming = new IncomingMessages(parts, this);
    const { manager, groups, results, dispatcher } = parts;
    this.#services = {
      manager,
      groups,
      results,
      connectionSignal: (connection) => dispatcher.connectionSignal(connection),
      abort: (connection) => this.close(connection, "aborted"),
    };
  }

  /** Binds a transport to a negotiated connection; starts the handshake clock. */
  attach(
    connection: HubConnection,
    transport: Transport,
    request: RequestInfo,
  ): TransportEvents {
    const { options } = this.#p;
    connection.attach(transport, request, options, Date.now());
    connection.startHandshake(new HandshakeReader(options.maxMessageSize));
    return new ConnectionEvents(this, connection, transport);
  }

  /**
   * True when a second socket may take over `connection` (stateful). At
   * most two sockets at once: the old one the server has not yet seen die,
   * and its replacement; a third concurrent reconnect is refused, so one
   * connection cannot pile up sockets that each wait for their close.
   */
  canReattach(connection: HubConnection): boolean {
    return connection.liveSockets < 2 && resumable(connection);
  }

  /**
   * Stateful reconnect: a new socket with the same token takes over. The
   * old one, if the server has not noticed it died, is dropped. No
   * handshake: the client speaks first with its Sequence, and only then
   * (the socket is surely open) do we send ours and replay.
   */
  reattach(connection: HubConnection, transport: Transport): TransportEvents {
    const wasOpen = connection.state === "open";
    const old = connection.reattach(transport, Date.now());
    if (wasOpen) this.#logSuspended(connection);
    old?.close();
    connection.freshDecoder(this.#p.options.maxMessageSize);
    this.#p.logger.log("info", "connection.reattached", {
      connectionId: connection.id,
      unacked: connection.replay?.count ?? 0,
      // True when the server had not yet noticed the old socket died.
      replaced: old !== null,
    });
    return new ConnectionEvents(this, connection, transport);
  }

  /** Data from the client: the handshake first, then hub messages. */
  received(connection: HubConnection, data: Payload): void {
    // Charged before any decoding: a flood of empty frames is caught too.
    const limit = connection.rate?.frame(payloadSize(data), Date.now());
    if (limit) return this.rateLimited(connection, limit, 0);
    switch (connection.state) {
      case "attached":
        return this.#handshake(connection, data);
      case "open":
        return this.#incoming.receive(connection, data);
      case "suspended":
        if (connection.transport === null) return;
        connection.resumeReplay(Date.now());
        this.#p.dispatcher.drain(connection);
        return this.#incoming.receive(connection, data);
    }
  }

  /** Closes a connection over an input limit, saying which one. */
  rateLimited(
    connection: HubConnection,
    limit: InputLimit,
    dropped: number,
  ): void {
    this.#p.counters.messagesDropped += dropped;
    this.#p.logger.log("warn", "connection.rate_limited", {
      connectionId: connection.id,
      limit,
    });
    const error = rateLimitError(limit, this.#p.options);
    this.close(connection, "rate-limited", error);
  }

  /** `transport` ended; ignored once a reconnect has replaced it. */
  transportClosed(connection: HubConnection, transport: Transport): void {
    if (connection.transport !== transport) return;
    if (resumable(connection)) this.#suspend(connection);
    else this.closed(connection);
  }

  /** The socket of a stateful connection dropped: wait for the client. */
  #suspend(connection: HubConnection): void {
    connection.suspend(Date.now());
    this.#logSuspended(connection);
  }

  #logSuspended(connection: HubConnection): void {
    this.#p.logger.log("info", "connection.suspended", {
      connectionId: connection.id,
    });
  }

  #handshake(connection: HubConnection, data: Payload): void {
    const step = handshakeStep(connection, data, this.#p.options);
    if (step.kind === "failed") {
      return this.failHandshake(connection, step.error);
    }
    if (step.kind === "waiting") return;
    // The transport may have ended while the answer was written; its
    // cleanup ran then, and registering now would leave a connection
    // nothing ever removes.
    if (connection.state !== "open") return;
    this.#connected(connection);
    if (step.rest !== null) this.#incoming.receive(connection, step.rest);
  }

  #connected(connection: HubConnection): void {
    const { manager, counters, dispatcher } = this.#p;
    const subscribed = manager.register(connection);
    counters.connectionsOpened++;
    const context = new ConnectionContext(connection, this.#services);
    // Held until the connection's backplane channels are live and
    // onConnected settled, as ASP.NET does: once a client learns its id
    // from any call, other processes can already reach it.
    dispatcher.open(connection, context);
    // Debug, as ASP.NET logs it: a line per connect costs a connect storm
    // real CPU, and the counts are in /metrics.
    this.#p.logger.log("debug", "connection.open", {
      connectionId: connection.id,
      userId: connection.userId,
      transport: connection.transportName,
      protocol: context.protocol,
    });
    this.#telemetry?.metrics.connected(connection, Date.now());
    subscribed
      .then(() => this.#hooks.connected(connection, context))
      .then(
        () => dispatcher.release(connection),
        (error) => {
          this.#p.logger.log("error", "hub.on_connected_failed", { error });
          this.close(connection, "aborted", "Connection closed with an error.");
        },
      );
  }

  /**
   * More invocations wait than `maxPendingInvocationBytes` allows: the
   * client sends faster than its calls run. Closed with an error that says
   * so (no reconnect hint: the same burst would come back); the calls
   * already waiting are counted as dropped at cleanup.
   */
  pendingOverflow(connection: HubConnection): void {
    const max = this.#p.options.maxPendingInvocationBytes;
    this.#p.counters.messagesDropped++;
    this.#p.logger.log("warn", "connection.pending_overflow", {
      connectionId: connection.id,
      waiting: this.#p.dispatcher.waiting(connection),
    });
    this.close(
      connection,
      "pending-overflow",
      `Connection closed: more than ${max} bytes of invocations waiting to run.`,
    );
  }

  /** Sends a Close (with an error and reconnect hint) and ends the transport. */
  close(
    connection: HubConnection,
    reason: CloseReason,
    error?: string,
    allowReconnect?: boolean,
  ): void {
    switch (connection.state) {
      case "suspended":
        // No socket to send a Close on: end now; a returning client gets 404.
        connection.end(null, reason);
        return this.closed(connection);
      case "attached":
        return this.failHandshake(connection, error ?? "Connection closed.");
      case "negotiated":
        return this.closed(connection, reason);
      case "open": {
        const close: HubMessage = { type: MessageType.Close };
        if (error !== undefined) close.error = error;
        if (allowReconnect) close.allowReconnect = true;
        return connection.end(connection.encode(close), reason);
      }
    }
  }

  /** Answers the handshake with an error and closes. */
  failHandshake(connection: HubConnection, error: string): void {
    this.#p.counters.errors++;
    this.#p.logger.log("warn", "connection.handshake_failed", {
      connectionId: connection.id,
      error,
    });
    connection.end(handshakeError(error), "protocol-error");
  }

  /**
   * The transport ended (or never came): leave every map, tell the hub.
   * Runs once; `reason` applies when the connection was not ending yet.
   */
  closed(connection: HubConnection, reason: CloseReason = "transport-lost") {
    if (!connection.finish(reason)) return;
    this.#p.store.delete(connection);
    const queue = this.#p.dispatcher.close(connection);
    if (queue === null) return; // never handshaken: nobody knew it
    const { manager, counters, logger } = this.#p;
    manager.unregister(connection);
    this.#p.results.connectionClosed(connection.id);
    counters.messagesDropped += connection.discardQueue() + queue.dropped;
    const why = connection.closeReason;
    logger.log("debug", "connection.close", {
      connectionId: connection.id,
      reason: why,
    });
    this.#telemetry?.metrics.closed(connection, Date.now());
    const error = why === "client-closed" ? undefined : new Error(why);
    void this.#hooks.disconnected(connection, queue.context, error);
  }

  /** ConnectionOwner: the queue overflowed, so close with a reconnect hint. */
  slowConsumer(connection: TransportConnection): void {
    if (!(connection instanceof HubConnection)) return;
    const state = connection.state;
    if (state !== "open" && state !== "suspended") return;
    this.#p.counters.slowConsumerCloses++;
    this.#p.counters.messagesDropped += connection.discardQueue() + 1;
    this.#p.logger.log("warn", "connection.slow_consumer", {
      connectionId: connection.id,
      stateful: connection.replay !== null,
    });
    // A stateful client cannot resume past a gap: it must start over.
    connection.stopReplay();
    this.close(
      connection,
      "slow-consumer",
      "Connection closed because it could not keep up with its messages.",
      true,
    );
  }

  /** ConnectionOwner: the connection's address slot is free again. */
  addressFree(address: string): void {
    this.#p.addresses?.release(address);
  }

  /** ConnectionOwner: the connection's user slot is free again. */
  userFree(userId: string): void {
    this.#p.userSlots?.release(userId);
  }

  /** ConnectionOwner: counts messages that left. */
  sent(count: number): void {
    this.#p.counters.messagesSent += count;
  }

  /** The encoded Ping for a protocol, built once. */
  ping(protocol: HubProtocol): Payload {
    return this.#ping.payloadFor(protocol);
  }
}

/** A stateful connection that is live or waiting for its client. */
function resumable(connection: HubConnection): boolean {
  const state = connection.state;
  return connection.replay !== null &&
    (state === "open" || state === "suspended");
}
