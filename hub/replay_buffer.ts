/**
 * Stateful reconnect's bookkeeping for one connection, both directions.
 *
 * Outbound: every trackable message (types 1-5) gets the next sequence id
 * implicitly, by counting; the id is never written into the payload, so
 * the buffer holds the very payload objects a broadcast encoded once and
 * shares with every recipient. Entries stay until the client Acks them and
 * are replayed in order after a transport drop.
 *
 * Inbound: the client numbers its trackable messages the same way; we
 * count them, drop duplicates (ids at or below the highest processed) and
 * report what is due for a debounced Ack.
 *
 * Bounds: bytes (the caller closes the connection as a slow consumer when
 * `push` refuses) and time (the caller reads `oldestAt` and closes a
 * client that stopped acking). Nothing here grows without a limit.
 *
 * @module
 */

import { type Payload, payloadSize } from "./protocol/hub_protocol.ts";

/**
 * Compact the arrays once this many acked slots sit at their head. A speed
 * heuristic, not a limit: the buffer's bound is its byte size option.
 */
const COMPACT_AFTER = 256;

/** What to send after a reconnect: a Sequence id, then these payloads. */
export interface Replay {
  /** The id of the first payload (or the next id when there are none). */
  readonly sequenceId: number;
  /** Unacked payloads, oldest first. */
  readonly payloads: readonly Payload[];
}

/** One connection's sequence numbers, unacked messages and Ack state. */
export class ReplayBuffer {
  readonly #maxBytes: number;
  #payloads: Payload[] = [];
  #sentAt: number[] = [];
  #head = 0;
  /** Sequence id of `#payloads[#head]`. */
  #firstId = 1;
  #bytes = 0;
  #nextReceiving = 1;
  #latestReceived = 0;
  #acked = 0;
  #awaitingSequence = false;

  /** A buffer refusing to hold more than `maxBytes` unacked bytes. */
  constructor(maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive");
    this.#maxBytes = maxBytes;
  }

  /** Unacked bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Unacked messages held. */
  get count(): number {
    return this.#payloads.length - this.#head;
  }

  /** The id the next trackable message will get. */
  get nextId(): number {
    return this.#firstId + this.count;
  }

  /** When the oldest unacked message was sent; undefined when none. */
  get oldestAt(): number | undefined {
    return this.count === 0 ? undefined : this.#sentAt[this.#head];
  }

  /**
   * Numbers and keeps an outgoing trackable payload. Returns false, keeping
   * nothing, when it would pass the byte bound; one message larger than
   * the bound is still taken into an empty buffer so it can be delivered.
   */
  push(payload: Payload, now: number): boolean {
    const size = payloadSize(payload);
    if (this.#bytes > 0 && this.#bytes + size > this.#maxBytes) return false;
    this.#payloads.push(payload);
    this.#sentAt.push(now);
    this.#bytes += size;
    return true;
  }

  /** The client processed everything up to `sequenceId`: forget it. */
  ack(sequenceId: number): void {
    const end = Math.min(sequenceId, this.nextId - 1);
    while (this.#firstId <= end) {
      this.#bytes -= payloadSize(this.#payloads[this.#head]);
      // Release the reference now; compaction may come much later.
      this.#payloads[this.#head] = "";
      this.#head++;
      this.#firstId++;
    }
    if (
      this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#payloads.length
    ) {
      this.#payloads = this.#payloads.slice(this.#head);
      this.#sentAt = this.#sentAt.slice(this.#head);
      this.#head = 0;
    }
  }

  /** What the server sends first on a new socket: Sequence, then these. */
  replay(): Replay {
    return {
      sequenceId: this.#firstId,
      payloads: this.#payloads.slice(this.#head),
    };
  }

  /** The socket dropped: ignore the client until its Sequence arrives. */
  disconnected(): void {
    this.#awaitingSequence = true;
  }

  /** True while messages before the client's Sequence must be dropped. */
  get awaitingSequence(): boolean {
    return this.#awaitingSequence;
  }

  /**
   * The client's Sequence: its next message has `sequenceId`. False when
   * it claims an id we could not have missed (a protocol error).
   */
  sequence(sequenceId: number): boolean {
    this.#awaitingSequence = false;
    if (sequenceId > this.#nextReceiving || sequenceId < 1) return false;
    this.#nextReceiving = sequenceId;
    return true;
  }

  /** Counts an incoming trackable message; false for a duplicate. */
  received(): boolean {
    const id = this.#nextReceiving++;
    if (id <= this.#latestReceived) return false;
    this.#latestReceived = id;
    return true;
  }

  /** The id to Ack now, or null when the last Ack still holds. */
  ackDue(): number | null {
    if (this.#latestReceived <= this.#acked) return null;
    this.#acked = this.#latestReceived;
    return this.#acked;
  }
}
