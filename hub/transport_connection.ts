/**
 * The transport-level connection (ASP.NET's `HttpConnectionContext`): ids,
 * principal, the request that opened it, the transport carrying it now, a
 * send queue bounded in bytes, the replay buffer of stateful reconnect,
 * input buckets and timestamps. It knows nothing of hub protocols; a hub
 * connection extends it, a raw connection is one.
 *
 * Where it is in its life is one value of `LinkState`; what exists only in
 * some states (the transport, the time it got there) is only reachable
 * through that state, and every change is a method here.
 *
 * @module
 */

import type { Principal } from "./principal.ts";
import { joinPayloads, type Payload } from "./protocol/hub_protocol.ts";
import { payloadSize } from "./protocol/hub_protocol.ts";
import type { Transport, TransportName } from "./transports/transport.ts";
import type { RequestInfo } from "./request_info.ts";
import { countQueued, type Flushable, scheduleFlush } from "./flush_queue.ts";
import type { ReplayBuffer } from "./replay_buffer.ts";
import { type InputLimits, InputRate } from "./rate_limit.ts";
import {
  type Attached,
  type CloseReason,
  type LinkState,
  NEGOTIATED,
} from "./connection_state.ts";

export type {
  Attached,
  CloseReason,
  LinkState,
  LinkStateName,
} from "./connection_state.ts";

/** What a connection reports upward (the server counts and cleans up). */
export interface ConnectionOwner {
  /** The queue overflowed; the owner closes and counts. */
  slowConsumer(connection: TransportConnection): void;
  /** Counts messages handed to the transport. */
  sent(count: number): void;
  /**
   * The per-address slot this connection held is free: it is cleaned up
   * and every socket it had has reported its end.
   */
  addressFree(address: string): void;
}

/** The ids and the caller a connection is made with. */
export interface ConnectionIds {
  readonly id: string;
  readonly token: string;
  readonly principal: Principal | null;
  /** The client address counted against the per-address cap, if any. */
  readonly remoteAddress?: string | null;
}

/** One client connection, from negotiate (or a direct socket) to cleanup. */
export class TransportConnection implements Flushable {
  readonly id: string;
  readonly token: string;
  readonly createdAt: number = Date.now();
  #principal: Principal | null;
  #link: LinkState = NEGOTIATED;
  /** The first transport's name; a stateful reconnect keeps it. */
  #transportName: TransportName | null = null;
  /** The request that opened the first transport (`ctx.request`). */
  #request: RequestInfo | null = null;
  #lastReceived = 0;
  #lastSent = 0;
  #statefulOffered = false;
  #replay: ReplayBuffer | null = null;
  #remoteAddress: string | null;
  #rate: InputRate | null = null;
  /**
   * Transports attached that have not reported their end. A peer that
   * ignores our Close keeps its socket open after cleanup (Deno cannot
   * drop a server WebSocket's TCP connection once it sent a Close frame),
   * so the address slot is held until this is back at zero.
   */
  #sockets = 0;

  readonly #owner: ConnectionOwner;
  readonly #maxQueuedBytes: number;
  #outbox: Payload[] = [];
  #outboxBytes = 0;
  #scheduled = false;

  /** Makes a negotiated connection; `maxQueuedBytes` bounds its queue. */
  constructor(
    ids: ConnectionIds,
    owner: ConnectionOwner,
    maxQueuedBytes: number,
  ) {
    this.id = ids.id;
    this.token = ids.token;
    this.#principal = ids.principal;
    this.#remoteAddress = ids.remoteAddress ?? null;
    this.#owner = owner;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** Where the connection is in its life. */
  get link(): LinkState {
    return this.#link;
  }

  /** The name of `link`, for code that only compares. */
  get state(): LinkState["kind"] {
    return this.#link.kind;
  }

  /** The transport carrying it now; null before, while suspended, after. */
  get transport(): Transport | null {
    const link = this.#link;
    return link.kind === "negotiated" || link.kind === "closed"
      ? null
      : link.transport;
  }

  /** The first transport's name, or null before one attached. */
  get transportName(): TransportName | null {
    return this.#transportName;
  }

  /** The request that opened the first transport (no `access_token`). */
  get request(): RequestInfo | null {
    return this.#request;
  }

  /** The caller, or null when anonymous. */
  get principal(): Principal | null {
    return this.#principal;
  }

  /** The user id, or null when anonymous. */
  get userId(): string | null {
    return this.#principal?.userId ?? null;
  }

  /** Why it ended, once closing or closed. */
  get closeReason(): CloseReason | undefined {
    const link = this.#link;
    return link.kind === "closing" || link.kind === "closed"
      ? link.reason
      : undefined;
  }

  /** When the client last sent anything. */
  get lastReceived(): number {
    return this.#lastReceived;
  }

  /** When we last wrote to the transport. */
  get lastSent(): number {
    return this.#lastSent;
  }

  /** Input buckets (frames, bytes, messages), when limits are on. */
  get rate(): InputRate | null {
    return this.#rate;
  }

  /** Negotiate offered stateful reconnect (the client asked). */
  get statefulOffered(): boolean {
    return this.#statefulOffered;
  }

  /** The replay buffer once stateful reconnect is on; null otherwise. */
  get replay(): ReplayBuffer | null {
    return this.#replay;
  }

  /** The client's data is text; raw connections take bytes as they come. */
  get textInput(): boolean {
    return false;
  }

  /** Bytes waiting in our queue (not counting the socket's buffer). */
  get queuedBytes(): number {
    return this.#outboxBytes;
  }

  /**
   * Takes the principal of a later request (a refreshed token moves the
   * expiry) when it names the user that negotiated; false when it does not.
   */
  adopt(principal: Principal | null): boolean {
    if (this.userId !== (principal?.userId ?? null)) return false;
    if (principal) this.#principal = principal;
    return true;
  }

  /** Negotiate offered stateful reconnect to this client. */
  offerStateful(): void {
    this.#statefulOffered = true;
  }

  /** Keeps every trackable message sent from now on until it is acked. */
  startReplay(replay: ReplayBuffer): void {
    this.#replay = replay;
  }

  /** Stops keeping messages: the client can no longer resume past a gap. */
  stopReplay(): void {
    this.#replay = null;
  }

  /** The client spoke at `now`. */
  heard(now: number): void {
    this.#lastReceived = now;
  }

  /**
   * Binds the first transport, opened by `request`. Input counts against
   * `limits` from its first frame (a flood before a handshake costs too).
   * Messages flow once `open` is called: at once (raw), or after the
   * handshake (hub).
   */
  attach(
    transport: Transport,
    request: RequestInfo | null,
    limits: InputLimits,
    now: number,
  ): Attached {
    if (this.#link.kind !== "negotiated") {
      throw new Error(`Cannot attach a transport while ${this.#link.kind}`);
    }
    this.#transportName = transport.name;
    this.#request ??= request;
    this.#rate = InputRate.needed(limits) ? new InputRate(limits, now) : null;
    this.#lastReceived = now;
    const link: Attached = { kind: "attached", transport, since: now };
    this.#link = link;
    return link;
  }

  /** Messages flow: the handshake succeeded, or there is none (raw). */
  open(now: number): void {
    const link = this.#link;
    if (link.kind !== "attached") return;
    this.#link = { kind: "open", transport: link.transport, since: link.since };
    this.#lastReceived = this.#lastSent = now;
  }

  /**
   * Stateful reconnect: the socket dropped. Sends go to the replay buffer
   * only (what was queued is in it already) until the client comes back.
   */
  suspend(now: number): void {
    if (this.#link.kind !== "open" || this.#replay === null) return;
    this.#take();
    this.#replay.disconnected();
    this.#link = {
      kind: "suspended",
      since: now,
      transport: null,
      transportSince: 0,
    };
  }

  /**
   * Stateful reconnect: a new socket takes over. It stays `suspended`
   * until the client speaks on it (then `resume`): only then is the socket
   * surely open for our Sequence and the replay. Returns the transport it
   * replaced (an old socket not yet noticed dead, or a newer one that never
   * spoke), which the caller closes; null when there was none.
   */
  reattach(transport: Transport, now: number): Transport | null {
    const link = this.#link;
    if (link.kind !== "open" && link.kind !== "suspended") return null;
    const old = link.transport;
    if (link.kind === "open") this.suspend(now);
    const current = this.#link;
    if (current.kind !== "suspended") return null;
    this.#link = {
      kind: "suspended",
      since: current.since,
      transport,
      transportSince: now,
    };
    return old;
  }

  /**
   * The client spoke on its new socket: `first` (our Sequence, then every
   * unacked message in order) goes as one frame, before anything newer.
   */
  resume(first: Payload, now: number): void {
    const link = this.#link;
    if (link.kind !== "suspended" || link.transport === null) return;
    this.#take();
    const { transport, transportSince } = link;
    this.#link = { kind: "open", transport, since: transportSince };
    this.#lastReceived = this.#lastSent = now;
    transport.write(first);
  }

  /**
   * Queues an encoded message. Returns false (and lets the owner close the
   * connection) when the queue would pass its byte bound; a broadcast
   * never waits on one slow socket. A `reply` (the answer to the caller's
   * own call) is written at once when it would leave alone anyway (see
   * `#replyNow`).
   */
  send(payload: Payload, trackable = true, reply = false): boolean {
    const kind = this.#link.kind;
    const live = kind === "open";
    if (!live && kind !== "suspended") return false;
    if (trackable && this.#replay !== null) {
      if (!this.#replay.push(payload, Date.now())) {
        this.#owner.slowConsumer(this);
        return false;
      }
      // Suspended: kept for the replay when the client comes back.
      if (!live) return true;
    } else if (!live) return false;
    if (reply && !this.#scheduled && this.transport?.name === "WebSockets") {
      const now = Date.now();
      if (now !== this.#lastSent) return this.#replyNow(payload, now);
    }
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

  /**
   * A reply to a WebSocket with nothing queued, and nothing written to it
   * in this millisecond, goes out now instead of at the end of the turn
   * (in a plain Deno loop, deferring every reply to the turn's end took
   * about a fifth more server CPU per round trip). Whatever follows in the
   * same millisecond is queued and joined into one frame at the end of the
   * turn, so order holds and a burst still leaves in one frame after its
   * first reply. The millisecond stands in for "this turn" because marking
   * the turn itself takes a scheduled callback per turn, which cost about
   * 4% of the server's CPU per round trip. Only replies: a broadcast
   * cannot know whether more of a burst follows. SSE and long polling keep
   * joining everything (their frames are events and poll answers).
   */
  #replyNow(payload: Payload, now: number): boolean {
    if (!this.sendDirect(payload, now)) return false;
    countQueued();
    return true;
  }

  /**
   * Writes one message straight to the transport, past our queue (raw
   * connections, which keep no queue). False when not open or when the
   * transport's own buffer would pass the bound (the owner then closes).
   */
  sendDirect(payload: Payload, now = Date.now()): boolean {
    const link = this.#link;
    if (link.kind !== "open") return false;
    const transport = link.transport;
    const size = payloadSize(payload);
    if (transport.bufferedAmount() + size > this.#maxQueuedBytes) {
      this.#owner.slowConsumer(this);
      return false;
    }
    transport.write(payload);
    this.#lastSent = now;
    this.#owner.sent(1);
    return true;
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
    this.#lastSent = Date.now();
    this.#owner.sent(parts.length);
  }

  /** Writes a frame now, ahead of the queue (the handshake answer). */
  writeNow(frame: Payload): void {
    this.transport?.write(frame);
  }

  /** Drops whatever is queued (the connection is being torn down). */
  discardQueue(): number {
    return this.#take().length;
  }

  /**
   * Empties the queue, handing over what it held. An empty queue hands
   * back its own (empty) array rather than allocating: callers must not
   * add to what they get.
   */
  #take(): Payload[] {
    const parts = this.#outbox;
    if (parts.length === 0) return parts;
    this.#outbox = [];
    this.#outboxBytes = 0;
    return parts;
  }

  /**
   * Sends a final message past the queue bound (a Close or a handshake
   * error must reach even a backed-up client), then ends the transport.
   * Cleanup follows when the transport reports it closed (`finish`).
   */
  end(last: Payload | null, reason: CloseReason): void {
    const link = this.#link;
    if (link.kind === "closing" || link.kind === "closed") return;
    const transport = link.kind === "negotiated" ? null : link.transport;
    if (transport && last !== null) {
      // A copy: an empty queue hands back its own array (see #take).
      transport.write(joinPayloads([...this.#take(), last]));
    }
    this.#link = { kind: "closing", transport, since: Date.now(), reason };
    transport?.close();
  }

  /**
   * The end: no transport, no queue. False when it was closed already, so
   * the caller's cleanup runs once. `reason` applies when none was given
   * by `end`.
   */
  finish(reason: CloseReason): boolean {
    const link = this.#link;
    if (link.kind === "closed") return false;
    const final = link.kind === "closing" ? link.reason : reason;
    this.#link = { kind: "closed", reason: final };
    this.#freeAddress();
    return true;
  }

  /** Sockets attached that have not reported their end yet. */
  get liveSockets(): number {
    return this.#sockets;
  }

  /** A transport was attached (`attach` or `reattach`). */
  socketOpened(): void {
    this.#sockets++;
  }

  /** A transport reported its end (once per transport). */
  socketEnded(): void {
    if (this.#sockets > 0) this.#sockets--;
    this.#freeAddress();
  }

  /** Hands the address slot back once cleaned up with no socket left. */
  #freeAddress(): void {
    const address = this.#remoteAddress;
    if (address === null || this.#link.kind !== "closed") return;
    if (this.#sockets > 0) return;
    this.#remoteAddress = null;
    this.#owner.addressFree(address);
  }
}
