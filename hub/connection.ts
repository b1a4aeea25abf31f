/**
 * One logical SignalR connection: ids, principal, protocol, a send queue
 * bounded in bytes, and the state the heartbeat and dispatcher read.
 *
 * The transport may change under it (stateful reconnect), so everything
 * that must outlive a socket lives here.
 *
 * @module
 */

import type { Principal } from "./options.ts";
import {
  type HubProtocol,
  joinPayloads,
  type MessageDecoder,
  type Payload,
  payloadSize,
} from "./protocol/hub_protocol.ts";
import { type HubMessage, isTrackable } from "./protocol/messages.ts";
import type { HandshakeReader } from "./protocol/handshake.ts";
import type { ConnectionContext } from "./connection_context.ts";
import type { Transport, TransportName } from "./transports/transport.ts";
import type { RequestInfo } from "./request_info.ts";
import { countQueued, type Flushable, scheduleFlush } from "./flush_queue.ts";
import type { ReplayBuffer } from "./replay_buffer.ts";
import type { InputRate } from "./rate_limit.ts";
import { PendingInvocations } from "./pending_invocations.ts";

/** Where a connection is in its life. */
export type ConnectionState =
  | "negotiated"
  | "handshaking"
  | "connected"
  // Stateful reconnect: the socket dropped (or a new one has not spoken
  // yet); sends go to the replay buffer only, until the window expires.
  | "disconnected"
  | "closing"
  | "closed";

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

/** What a connection reports upward (the hub counts and cleans up). */
export interface ConnectionOwner {
  /** The queue overflowed; the owner closes and counts. */
  slowConsumer(connection: HubConnection): void;
  /** Counts messages handed to the transport. */
  sent(count: number): void;
}

/** One client connection. Created by negotiate or by a direct WebSocket. */
export class HubConnection implements Flushable {
  readonly id: string;
  readonly token: string;
  readonly createdAt: number = Date.now();
  principal: Principal | null;
  state: ConnectionState = "negotiated";
  closeReason: CloseReason | undefined;
  transport: Transport | null = null;
  /** The first transport's name; a stateful reconnect keeps it. */
  transportName: TransportName | null = null;
  /** The request that opened the transport (`ctx.request`). */
  request: RequestInfo | null = null;
  transportAt = 0;
  closingAt = 0;
  handshake: HandshakeReader | null = null;
  protocol: HubProtocol | null = null;
  decoder: MessageDecoder | null = null;
  lastReceived = 0;
  lastSent = 0;
  /** Invocations running now, and those waiting (bounded in bytes). */
  running = 0;
  readonly pending: PendingInvocations = new PendingInvocations();
  /** The context hub methods get; made once at handshake, reused. */
  context: ConnectionContext | null = null;
  #items: Map<string, unknown> | null = null;

  /** Free-form per-connection data for the app (`ctx.items`), made on use. */
  get items(): Map<string, unknown> {
    return this.#items ??= new Map();
  }
  /** Negotiate offered stateful reconnect (the client asked). */
  statefulOffered = false;
  /** Set at a version-2 handshake after an offer; null otherwise. */
  replay: ReplayBuffer | null = null;
  /** When the socket of a stateful connection dropped. */
  disconnectedAt = 0;
  /** The client address counted against the per-address cap, if any. */
  remoteAddress: string | null = null;
  /** Input buckets (frames, bytes, messages), set when a transport attaches. */
  rate: InputRate | null = null;

  readonly #owner: ConnectionOwner;
  readonly #maxQueuedBytes: number;
  #outbox: Payload[] = [];
  #outboxBytes = 0;
  #scheduled = false;

  /** Makes a connection; `maxQueuedBytes` bounds its send queue. */
  constructor(
    ids: { id: string; token: string; principal: Principal | null },
    owner: ConnectionOwner,
    maxQueuedBytes: number,
  ) {
    this.id = ids.id;
    this.token = ids.token;
    this.principal = ids.principal;
    this.#owner = owner;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** The user id, or null when anonymous. */
  get userId(): string | null {
    return this.principal?.userId ?? null;
  }

  /**
   * Takes the principal of a later request (a refreshed token moves the
   * expiry) when it names the user that negotiated; false when it does not.
   */
  adopt(principal: Principal | null): boolean {
    if (this.userId !== (principal?.userId ?? null)) return false;
    if (principal) this.principal = principal;
    return true;
  }

  /** Bytes waiting in our queue (not counting the socket's buffer). */
  get queuedBytes(): number {
    return this.#outboxBytes;
  }

  /**
   * Queues an encoded message. Returns false (and lets the owner close the
   * connection) when the queue would pass its byte bound; a broadcast
   * never waits on one slow socket.
   */
  send(payload: Payload, trackable = true): boolean {
    const live = this.state === "connected";
    if (!live && this.state !== "disconnected") return false;
    if (trackable && this.replay !== null) {
      if (!this.replay.push(payload, Date.now())) {
        this.#owner.slowConsumer(this);
        return false;
      }
      // Disconnected: kept for the replay when the client comes back.
      if (!live) return true;
    } else if (!live) return false;
    const size = payloadSize(payload);
    if (this.#outboxBytes + size > this.#maxQueuedBytes) {
      this.#owner.slowConsumer(this);
      return false;
    }
    this.#outbox.push(payload);
    this.#outboxBytes += size;
    countQueued();
    if (!this.#scheduled) {
      this.#scheduled = true;
      scheduleFlush(this);
    }
    return true;
  }

  /** Encodes with this connection's protocol and queues. */
  sendMessage(message: HubMessage): boolean {
    return this.protocol !== null &&
      this.send(this.protocol.encode(message), isTrackable(message));
  }

  /** Writes everything queued as one frame (see flush_queue.ts). */
  flush(): void {
    this.#scheduled = false;
    const transport = this.transport;
    if (this.#outbox.length === 0 || transport === null) return;
    if (transport.bufferedAmount() + this.#outboxBytes > this.#maxQueuedBytes) {
      this.#owner.slowConsumer(this);
      return;
    }
    const parts = this.#take();
    transport.write(joinPayloads(parts));
    this.lastSent = Date.now();
    this.#owner.sent(parts.length);
  }

  /**
   * A stateful client is back on a new socket and spoke first (so the
   * socket is open): send our Sequence, then every unacked message in
   * order, as one frame, before anything newer.
   */
  resume(now: number): void {
    const replay = this.replay!.replay();
    const sequence = this.protocol!.encode({
      type: 9,
      sequenceId: replay.sequenceId,
    });
    this.discardQueue();
    this.state = "connected";
    this.lastReceived = this.lastSent = now;
    this.transport!.write(joinPayloads([sequence, ...replay.payloads]));
  }

  /** Drops whatever is queued (the connection is being torn down). */
  discardQueue(): number {
    return this.#take().length;
  }

  /** Empties the queue, handing over what it held. */
  #take(): Payload[] {
    const parts = this.#outbox;
    this.#outbox = [];
    this.#outboxBytes = 0;
    return parts;
  }

  /**
   * Sends a final message past the queue bound (a Close or a handshake
   * error must reach even a backed-up client), then ends the transport.
   */
  end(last: Payload | null, reason: CloseReason): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.closeReason = reason;
    const transport = this.transport;
    if (transport && last !== null) {
      const parts = this.#take();
      parts.push(last);
      transport.write(joinPayloads(parts));
    }
    this.state = "closing";
    this.closingAt = Date.now();
    transport?.close();
  }
}
