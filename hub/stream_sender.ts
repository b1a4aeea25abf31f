/**
 * Server-to-client streams: a hub method answered a StreamInvocation with
 * an async iterable, and each value goes out as a StreamItem, then one
 * Completion (with the error text if the iterable threw).
 *
 * A CancelInvocation, or the connection closing, calls the iterator's
 * `return()` at once, so an async generator's `finally` runs as soon as it
 * next pauses, and aborts the stream's signal for code blocked elsewhere.
 * A Completion still follows a cancel; the client ignores it (the
 * official client drops a Completion for an invocation it no longer tracks).
 *
 * A fast source must not fill the connection's queue and get its client
 * closed as a slow consumer, so the sender waits while the connection holds
 * more than a high-water mark of unsent bytes.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import { MessageType } from "./protocol/messages.ts";

/**
 * How often a paused stream looks at the connection's backlog again: a
 * scheduling detail, not a limit (the backlog's bound is maxQueuedBytes).
 */
const DRAIN_POLL_MS = 10;

interface ActiveStream {
  readonly controller: AbortController;
  iterator: AsyncIterator<unknown> | null;
  stopped: boolean;
  returned: boolean;
}

/** The server-to-client streams of one connection, by invocation id. */
export class OutgoingStreams {
  readonly #connection: HubConnection;
  readonly #highWater: number;
  readonly #active = new Map<string, ActiveStream>();

  /** Streams on `connection`, pausing above `highWaterBytes` queued. */
  constructor(connection: HubConnection, highWaterBytes: number) {
    this.#connection = connection;
    this.#highWater = highWaterBytes;
  }

  /** Streams reserved or running (they count towards the stream limit). */
  get size(): number {
    return this.#active.size;
  }

  /**
   * Holds `id` while the hub method is called, so a CancelInvocation that
   * arrives first still stops the stream. Returns the stream's abort
   * controller, or null when the id is already streaming.
   */
  reserve(id: string): AbortController | null {
    if (this.#active.has(id)) return null;
    const controller = new AbortController();
    this.#active.set(id, {
      controller,
      iterator: null,
      stopped: false,
      returned: false,
    });
    return controller;
  }

  /** Drops a reservation whose method failed before returning a stream. */
  unreserve(id: string): void {
    this.#active.delete(id);
  }

  /**
   * Sends `source` as the items of stream `id`, then a Completion.
   * `describe` turns what the source threw into the error text sent;
   * `ended` runs once the stream is over, however it ended.
   */
  start(
    id: string,
    source: AsyncIterable<unknown>,
    describe: Describe,
    ended: () => void,
  ): void {
    const stream = this.#active.get(id);
    if (!stream) return ended();
    try {
      stream.iterator = source[Symbol.asyncIterator]();
    } catch (error) {
      this.#active.delete(id);
      this.#complete(id, describe(error));
      return ended();
    }
    const iterator = stream.iterator;
    if (stream.stopped) void this.#return(stream);
    void this.#pump(id, stream, iterator, describe).finally(ended);
  }

  /** A CancelInvocation: stops stream `id`; false if there is none. */
  cancel(id: string): boolean {
    const stream = this.#active.get(id);
    if (!stream) return false;
    this.#stop(stream);
    return true;
  }

  /** Stops every stream (the connection closed). */
  stopAll(): void {
    for (const stream of this.#active.values()) this.#stop(stream);
  }

  #stop(stream: ActiveStream): void {
    if (stream.stopped) return;
    stream.stopped = true;
    stream.controller.abort();
    if (stream.iterator) void this.#return(stream);
  }

  async #pump(
    id: string,
    stream: ActiveStream,
    iterator: AsyncIterator<unknown>,
    describe: Describe,
  ) {
    const connection = this.#connection;
    let error: string | undefined;
    try {
      while (!stream.stopped) {
        const step = await iterator.next();
        if (step.done || stream.stopped) break;
        const item = {
          type: MessageType.StreamItem,
          invocationId: id,
          item: step.value,
        };
        if (!connection.sendMessage(item)) break;
        if (this.#mustWait()) await this.#drain(stream);
      }
    } catch (thrown) {
      if (!stream.stopped) error = describe(thrown);
    }
    if (this.#active.get(id) === stream) this.#active.delete(id);
    await this.#return(stream);
    this.#complete(id, error);
  }

  /** Calls the iterator's `return()` once; what it throws is not ours. */
  async #return(stream: ActiveStream): Promise<void> {
    if (stream.returned || !stream.iterator) return;
    stream.returned = true;
    try {
      await stream.iterator.return?.();
    } catch {
      // A throwing `finally` cannot reach a client that is already done.
    }
  }

  #complete(id: string, error: string | undefined): void {
    // A closed connection refuses it; a suspended stateful one keeps it.
    this.#connection.sendMessage(
      error === undefined
        ? { type: MessageType.Completion, invocationId: id }
        : { type: MessageType.Completion, invocationId: id, error },
    );
  }

  #backlog(): number {
    const c = this.#connection;
    return c.queuedBytes + (c.transport?.bufferedAmount() ?? 0);
  }

  /**
   * Too much unsent, or the socket of a stateful connection is gone and
   * every item would only fill its replay buffer.
   */
  #mustWait(low = false): boolean {
    const state = this.#connection.state;
    if (state === "suspended") return true; // stateful, socket gone
    if (state !== "open") return false;
    return this.#backlog() > (low ? this.#highWater / 2 : this.#highWater);
  }

  async #drain(stream: ActiveStream): Promise<void> {
    while (!stream.stopped && this.#mustWait(true)) {
      await pause(DRAIN_POLL_MS, stream.controller.signal);
    }
  }
}

type Describe = (error: unknown) => string;

/** Waits `ms`, or less if `signal` aborts; leaves no timer behind. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
