/**
 * The invocations of one connection waiting behind the running ones,
 * bounded by the bytes they arrived in rather than by a count: a burst of
 * small fire-and-forget calls is carried out whole and in order, as
 * ASP.NET does, while a client cannot park more than the bound in memory.
 * The caller decides what overflow means (the hub closes the connection
 * with an error saying why; nothing is dropped quietly).
 *
 * @module
 */

import type {
  InvocationMessage,
  StreamInvocationMessage,
} from "./protocol/messages.ts";

/** A client call: a plain invocation or one answered by a stream. */
export type CallMessage = InvocationMessage | StreamInvocationMessage;

/** A FIFO of calls with the byte size each arrived in. */
export class PendingInvocations {
  #messages: CallMessage[] = [];
  #sizes: number[] = [];
  #bytes = 0;

  /** Calls waiting. */
  get length(): number {
    return this.#messages.length;
  }

  /** Bytes of the frames the waiting calls arrived in. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues `message` (`size` bytes on the wire). False, queueing nothing,
   * when the total would pass `maxBytes`; one call alone is always taken,
   * since it already fit under the message size limit.
   */
  push(message: CallMessage, size: number, maxBytes: number): boolean {
    if (this.#bytes > 0 && this.#bytes + size > maxBytes) return false;
    this.#messages.push(message);
    this.#sizes.push(size);
    this.#bytes += size;
    return true;
  }

  /** The oldest waiting call, removed; undefined when none wait. */
  shift(): CallMessage | undefined {
    const message = this.#messages.shift();
    if (message !== undefined) this.#bytes -= this.#sizes.shift() ?? 0;
    return message;
  }

  /** Forgets every waiting call (the connection ended); returns how many. */
  clear(): number {
    const n = this.#messages.length;
    this.#messages = [];
    this.#sizes = [];
    this.#bytes = 0;
    return n;
  }
}
