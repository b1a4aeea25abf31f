/**
 * The incoming messages of a raw connection (`ConnectionServer`) as an
 * async iterable, bounded in bytes: a WebSocket cannot push back on its
 * sender, so a handler that stops reading must not let memory grow.
 *
 * @module
 */

import { type Payload, payloadSize } from "./protocol/hub_protocol.ts";

/** A single-reader queue of messages that ends when the connection does. */
export class MessageInbox implements AsyncIterable<Payload> {
  readonly #maxBytes: number;
  #items: Payload[] = [];
  #bytes = 0;
  #waiting: ((result: IteratorResult<Payload>) => void) | null = null;
  #ended = false;
  #taken = false;

  /** An inbox holding at most `maxBytes` of unread messages. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds a message. False when the unread messages would pass the bound
   * (the caller closes the connection) or the inbox has ended.
   */
  push(data: Payload): boolean {
    if (this.#ended) return false;
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = null;
      waiting({ value: data, done: false });
      return true;
    }
    const size = payloadSize(data);
    if (this.#bytes + size > this.#maxBytes) return false;
    this.#items.push(data);
    this.#bytes += size;
    return true;
  }

  /** No more messages: the reader finishes what is queued, then stops. */
  end(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Payload> {
    if (this.#taken) throw new TypeError("Messages can be read only once");
    this.#taken = true;
    return {
      next: () => this.#next(),
      return: () => {
        this.end();
        this.#items = [];
        this.#bytes = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #next(): Promise<IteratorResult<Payload>> {
    const item = this.#items.shift();
    if (item !== undefined) {
      this.#bytes -= payloadSize(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting = resolve);
  }
}
