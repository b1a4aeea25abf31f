/**
 * The life of a connection once a transport carries it: handshake with a
 * deadline, decoding with a size limit, dispatch, Close, and cleanup that
 * runs exactly once. Transports report here; the dispatcher runs methods.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import type {
  CloseReason,
  ConnectionOwner,
  HubConnection,
} from "./connection.ts";
import type { ConnectionStore } from "./connection_store.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { HubDefinition } from "./hub_definition.ts";
import type { LifetimeManager } from "./lifetime_manager.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type { ClientResults } from "./client_results.ts";
import type { HubGroups } from "./clients.ts";
import {
  ConnectionContext,
  type ContextServices,
} from "./connection_context.ts";
import {
  type HubProtocol,
  type Payload,
  payloadSize,
} from "./protocol/hub_protocol.ts";
import { type HubMessage, MessageTooLargeError } from "./protocol/messages.ts";
import {
  HANDSHAKE_OK,
  handshakeError,
  HandshakeReader,
  selectProtocol,
} from "./protocol/handshake.ts";
import type { Transport, TransportEvents } from "./transports/transport.ts";
import {
  type AddressCounter,
  type InputLimit,
  InputRate,
  rateLimitError,
} from "./rate_limit.ts";
import { screenIncoming, startStateful } from "./stateful_reconnect.ts";
import { ConnectionEvents } from "./connection_events.ts";
import { EncodedMessage } from "./encoded_message.ts";
import type { HubContext } from "./hub_definition.ts";
import { connectedChain, disconnectedChain } from "./hub_filters.ts";

/** Everything the handler works with, owned by the hub server. */
export interface HandlerParts {
  readonly hub: HubDefinition;
  readonly options: ResolvedHubOptions;
  readonly store: ConnectionStore;
  readonly manager: LifetimeManager;
  readonly dispatcher: Dispatcher;
  readonly groups: HubGroups;
  readonly counters: HubCounters;
  readonly logger: Logger;
  /** Pending client-result calls; the clients' answers go here. */
  readonly results: ClientResults;
  /** Per-address connection counts; a slot is released at cleanup. */
  readonly addresses?: AddressCounter;
  /** Spans of the hooks and connection metrics, when OpenTelemetry is on. */
  readonly telemetry?: HubTelemetry;
}

/** Drives connections from transport open to cleanup. */
export class ConnectionHandler implements ConnectionOwner {
  readonly #p: HandlerParts;
  /** The Ping, encoded once per protocol and shared by every connection. */
  readonly #ping = new EncodedMessage({ type: 6 });
  readonly #services: ContextServices;
  /** `onConnected` / `onDisconnected` wrapped by the filters. */
  readonly #onConnected: (ctx: HubContext) => Promise<void>;
  readonly #onDisconnected: (ctx: HubContext, error?: Error) => Promise<void>;
  /** Null while OpenTelemetry is off. */
  readonly #telemetry: HubTelemetry | null;

  /** A handler over the hub server's parts. */
  constructor(parts: HandlerParts) {
    this.#p = parts;
    const { hub } = parts;
    const filters = [...parts.options.filters, ...(hub.filters ?? [])];
    this.#onConnected = connectedChain(filters, hub.onConnected?.bind(hub));
    this.#onDisconnected = disconnectedChain(
      filters,
      hub.onDisconnected?.bind(hub),
    );
    this.#telemetry = parts.telemetry?.enabled ? parts.telemetry : null;
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
  attach(connection: HubConnection, transport: Transport): TransportEvents {
    connection.transport = transport;
    connection.transportName = transport.name;
    connection.transportAt = Date.now();
    connection.state = "handshaking";
    connection.handshake = new HandshakeReader(this.#p.options.maxMessageSize);
    // From the first frame: a flood before the handshake costs too.
    const { options } = this.#p;
    if (InputRate.needed(options)) {
      connection.rate = new InputRate(options, connection.transportAt);
    }
    return this.#events(connection, transport);
  }

  /** True when a second socket may take over `connection` (stateful). */
  canReattach(connection: HubConnection): boolean {
    return connection.replay !== null &&
      (connection.state === "connected" ||
        connection.state === "disconnected");
  }

  /**
   * Stateful reconnect: a new socket with the same token takes over. The
   * old one, if the server has not noticed it died, is dropped. No
   * handshake: the client speaks first with its Sequence, and only then
   * (the socket is surely open) do we send ours and replay.
   */
  reattach(connection: HubConnection, transport: Transport): TransportEvents {
    const old = connection.transport;
    if (connection.state === "connected") this.#suspend(connection);
    old?.close();
    connection.transport = transport;
    connection.transportAt = Date.now();
    // A partial record from the dead socket must not prefix the new one.
    connection.decoder = connection.protocol!.createDecoder(
      this.#p.options.maxMessageSize,
    );
    this.#p.logger.log("info", "connection.reattached", {
      connectionId: connection.id,
      unacked: connection.replay!.count,
      // True when the server had not yet noticed the old socket died.
      replaced: old !== null,
    });
    return this.#events(connection, transport);
  }

  #events(connection: HubConnection, transport: Transport): TransportEvents {
    return new ConnectionEvents(this, connection, transport);
  }

  /** Data from the client: the handshake first, then hub messages. */
  received(connection: HubConnection, data: Payload): void {
    // Charged before any decoding: a flood of empty frames is caught too.
    const limit = connection.rate?.frame(payloadSize(data), Date.now());
    if (limit) return this.#rateLimited(connection, limit, 0);
    if (connection.state === "handshaking") this.#handshake(connection, data);
    else if (connection.state === "connected") this.#messages(connection, data);
    else if (connection.state === "disconnected" && connection.transport) {
      connection.resume(Date.now());
      this.#p.dispatcher.drain(connection);
      this.#messages(connection, data);
    }
  }

  /** Closes a connection over an input limit, saying which one. */
  #rateLimited(
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
    if (this.canReattach(connection)) this.#suspend(connection);
    else this.closed(connection);
  }

  /** The socket of a stateful connection dropped: wait for the client. */
  #suspend(connection: HubConnection): void {
    connection.state = "disconnected";
    connection.transport = null;
    connection.disconnectedAt = Date.now();
    connection.discardQueue(); // still in the replay buffer
    connection.replay!.disconnected();
    this.#p.logger.log("info", "connection.suspended", {
      connectionId: connection.id,
    });
  }

  #handshake(connection: HubConnection, data: Payload): void {
    let result;
    try {
      result = connection.handshake!.push(data);
    } catch (error) {
      return this.failHandshake(connection, (error as Error).message);
    }
    if (!result) return;
    const protocol = selectProtocol(result.request, this.#p.options.protocols);
    if (typeof protocol === "string") {
      return this.failHandshake(connection, protocol);
    }
    if (
      protocol.transferFormat === "Binary" &&
      !connection.transport!.supportsBinary
    ) {
      return this.failHandshake(
        connection,
        `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`,
      );
    }
    connection.handshake = null;
    connection.protocol = protocol;
    startStateful(connection, result.request.version, this.#p.options);
    connection.decoder = protocol.createDecoder(this.#p.options.maxMessageSize);
    connection.transport!.write(HANDSHAKE_OK);
    this.#connected(connection);
    if (result.rest !== null) this.#messages(connection, result.rest);
  }

  #connected(connection: HubConnection): void {
    const { manager, counters, dispatcher } = this.#p;
    connection.state = "connected";
    connection.lastReceived = connection.lastSent = Date.now();
    const subscribed = manager.register(connection);
    counters.connectionsOpened++;
    const context = new ConnectionContext(connection, this.#services);
    connection.context = context;
    this.#p.logger.log("info", "connection.open", {
      connectionId: connection.id,
      userId: connection.userId,
      transport: connection.transport!.name,
      protocol: connection.protocol!.name,
    });
    // Hold invocations until the connection's backplane channels are live
    // and onConnected settled, as ASP.NET does: once a client learns its id
    // from any call, other processes can already reach it.
    connection.running++;
    const telemetry = this.#telemetry;
    telemetry?.metrics.connected(connection, Date.now());
    subscribed
      .then(() =>
        telemetry && this.#p.hub.onConnected
          ? telemetry.hook(
            connection,
            "OnConnectedAsync",
            () => this.#onConnected(context),
          )
          : this.#onConnected(context)
      )
      .then(
        () => {
          connection.running--;
          dispatcher.drain(connection);
        },
        (error) => {
          this.#p.logger.log("error", "hub.on_connected_failed", { error });
          this.close(connection, "aborted", "Connection closed with an error.");
        },
      );
  }

  #messages(connection: HubConnection, data: Payload): void {
    const now = Date.now();
    connection.lastReceived = now;
    let messages: HubMessage[];
    const decoder = connection.decoder!;
    const heldBefore = decoder.buffered;
    try {
      messages = decoder.push(data);
    } catch (error) {
      const text = (error as Error).message;
      this.#p.counters.errors++;
      this.#p.logger.log("warn", "connection.protocol_error", {
        connectionId: connection.id,
        error: text,
      });
      return this.close(
        connection,
        error instanceof MessageTooLargeError
          ? "message-too-large"
          : "protocol-error",
        `Connection closed with an error. InvalidDataException: ${text}`,
      );
    }
    if (connection.rate && !connection.rate.messages(messages.length, now)) {
      return this.#rateLimited(connection, "messages", messages.length);
    }
    const share = invocationShare(
      messages,
      heldBefore + payloadUnits(data) - decoder.buffered,
    );
    for (const message of messages) {
      if (connection.state !== "connected") return;
      this.#p.counters.messagesReceived++;
      if (connection.replay) {
        const verdict = screenIncoming(connection.replay, message);
        if (verdict === "bad-sequence") {
          return this.close(
            connection,
            "protocol-error",
            "Sequence ID greater than amount of messages we've received.",
          );
        }
        if (verdict !== "dispatch") continue;
      }
      this.#dispatch(connection, message, share);
    }
  }

  #dispatch(connection: HubConnection, message: HubMessage, size: number) {
    switch (message.type) {
      case 1:
      case 4:
        if (!this.#p.dispatcher.invoke(connection, message, size)) {
          this.#pendingOverflow(connection);
        }
        return;
      case 7:
        // The client is leaving: no Close back, just end.
        connection.end(null, "client-closed");
        return;
      case 2:
        return this.#p.dispatcher.streamItem(connection, message);
      case 3:
        // Not queued behind running invocations: a method awaiting a
        // client result on its own caller would otherwise deadlock.
        if (!this.#p.dispatcher.completeUpload(connection, message)) {
          this.#p.results.complete(connection, message);
        }
        return;
      case 5:
        return this.#p.dispatcher.cancel(connection, message);
      default:
        // Ping only refreshes lastReceived; 8, 9 are not used here.
        return;
    }
  }

  /**
   * More invocations wait than `maxPendingInvocationBytes` allows: the
   * client sends faster than its calls run. Closed with an error that says
   * so (no reconnect hint: the same burst would come back); the calls
   * already waiting are counted as dropped at cleanup.
   */
  #pendingOverflow(connection: HubConnection): void {
    const max = this.#p.options.maxPendingInvocationBytes;
    this.#p.counters.messagesDropped++;
    this.#p.logger.log("warn", "connection.pending_overflow", {
      connectionId: connection.id,
      waiting: connection.pending.length,
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
    if (connection.state === "disconnected") {
      // No socket to send a Close on: end now; a returning client gets 404.
      connection.closeReason = reason;
      connection.transport?.close();
      return this.closed(connection);
    }
    if (connection.state !== "connected") {
      if (connection.state === "handshaking") {
        return this.failHandshake(connection, error ?? "Connection closed.");
      }
      if (connection.state === "negotiated") this.closed(connection);
      return;
    }
    const close: HubMessage = { type: 7 };
    if (error !== undefined) close.error = error;
    if (allowReconnect) close.allowReconnect = true;
    connection.end(connection.protocol!.encode(close), reason);
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

  /** The transport ended: leave every map, tell the hub. Runs once. */
  closed(connection: HubConnection): void {
    if (connection.state === "closed") return;
    const wasConnected = connection.context !== null;
    connection.state = "closed";
    connection.closeReason ??= "transport-lost";
    this.#p.store.delete(connection);
    if (connection.remoteAddress !== null) {
      this.#p.addresses?.release(connection.remoteAddress);
      connection.remoteAddress = null;
    }
    if (!wasConnected) return;
    const { manager, counters, logger } = this.#p;
    manager.unregister(connection);
    this.#p.dispatcher.connectionClosed(connection);
    this.#p.results.connectionClosed(connection.id);
    counters.messagesDropped += connection.discardQueue() +
      connection.pending.clear();
    logger.log("info", "connection.close", {
      connectionId: connection.id,
      reason: connection.closeReason,
    });
    const telemetry = this.#telemetry;
    telemetry?.metrics.closed(connection, Date.now());
    const error = connection.closeReason === "client-closed"
      ? undefined
      : new Error(connection.closeReason);
    const run = () => this.#onDisconnected(connection.context!, error);
    Promise.resolve()
      .then(() =>
        telemetry && this.#p.hub.onDisconnected
          ? telemetry.hook(connection, "OnDisconnectedAsync", run)
          : run()
      )
      .catch((e) => logger.log("error", "hub.on_disconnected_failed", { e }));
  }

  /** ConnectionOwner: the queue overflowed, so close with a reconnect hint. */
  slowConsumer(connection: HubConnection): void {
    const state = connection.state;
    if (state !== "connected" && state !== "disconnected") return;
    this.#p.counters.slowConsumerCloses++;
    this.#p.counters.messagesDropped += connection.discardQueue() + 1;
    this.#p.logger.log("warn", "connection.slow_consumer", {
      connectionId: connection.id,
      stateful: connection.replay !== null,
    });
    // A stateful client cannot resume past a gap: it must start over.
    connection.replay = null;
    this.close(
      connection,
      "slow-consumer",
      "Connection closed because it could not keep up with its messages.",
      true,
    );
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

/** A payload's length in the units `MessageDecoder.buffered` counts. */
function payloadUnits(data: Payload): number {
  return typeof data === "string" ? data.length : data.byteLength;
}

/**
 * What each invocation in `messages` is charged against the pending bound:
 * every unit the decoder consumed for them (earlier frames of a record
 * included) split among the invocations alone. Splitting by frame instead
 * let a call sent as its body and then a lone separator, or padded with
 * pings, be charged a byte and park megabytes behind a blocked call.
 */
function invocationShare(messages: HubMessage[], consumed: number): number {
  let calls = 0;
  for (const m of messages) if (m.type === 1 || m.type === 4) calls++;
  return calls === 0 ? 0 : Math.ceil(Math.max(0, consumed) / calls);
}
