/**
 * Client-to-server streams. An invocation that carries `streamIds` gets one
 * `UploadStream` per id; the client then sends StreamItems and a Completion
 * under those ids, and the hub method reads them as async iterables.
 *
 * Items arrive whenever the socket delivers them, whether or not the method
 * is reading yet (it may still be queued behind another invocation), and a
 * WebSocket cannot push back on the sender. So each stream buffers at most
 * `maxBuffered` items; one more fails the upload: the method's loop throws
 * and the stream id is forgotten, so later items are dropped.
 *
 * @module
 */

import { HubError } from "./hub_error.ts";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One upload, read once by the hub method as an async iterable. */
export class UploadStream<T = unknown> implements AsyncIterable<T> {
  /** The client's stream id. */
  readonly id: string;
  readonly #max: number;
  readonly #items: T[] = [];
  #reader: PromiseWithResolvers<IteratorResult<T>> | null = null;
  #ended = false;
  #error: Error | null = null;
  #iterated = false;
  #detached = false;

  /** An open upload buffering at most `maxBuffered` unread items. */
  constructor(id: string, maxBuffered: number) {
    this.id = id;
    this.#max = maxBuffered;
  }

  /** True once the client completed it, it failed, or the reader left. */
  get closed(): boolean {
    return this.#ended || this.#detached;
  }

  /** Hands an item to the reader; false when the buffer overflowed. */
  push(item: T): boolean {
    if (this.closed) return true;
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = null;
      reader.resolve({ done: false, value: item });
      return true;
    }
    if (this.#items.length >= this.#max) {
      this.end(`Upload stream '${this.id}' exceeded ${this.#max} unread items`);
      return false;
    }
    this.#items.push(item);
    return true;
  }

  /**
   * Ends the upload; with `error`, the reader's loop throws a HubError
   * once it has read what was buffered.
   */
  end(error?: string): void {
    if (this.closed) return;
    this.#ended = true;
    // Items already buffered are still read first, then the error.
    if (error !== undefined) this.#error = new HubError(error);
    const reader = this.#reader;
    this.#reader = null;
    if (!reader) return;
    if (this.#error) reader.reject(this.#error);
    else reader.resolve(DONE);
  }

  /** A single reader: a second `for await` is a programming error. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterated) {
      throw new TypeError(`Upload stream '${this.id}' can be read only once`);
    }
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: () => {
        // The method stopped reading: drop what is buffered and what comes.
        this.#detached = true;
        this.#items.length = 0;
        return Promise.resolve(DONE);
      },
    };
  }

  #next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      // Not empty (checked), so shift() gives an item.
      const value = this.#items.shift() as T;
      return Promise.resolve({ done: false, value });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.closed) return Promise.resolve(DONE);
    this.#reader = Promise.withResolvers();
    return this.#reader.promise;
  }
}

/** The open uploads of one connection, by stream id. */
export class UploadStreams {
  readonly #streams = new Map<string, UploadStream>();
  readonly #maxBuffered: number;

  /** Uploads that buffer at most `maxBuffered` items each. */
  constructor(maxBuffered: number) {
    this.#maxBuffered = maxBuffered;
  }

  /** Open uploads (they count towards the per-connection stream limit). */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Opens a stream per id, or returns an error text (a reused or duplicate
   * id) and opens none.
   */
  open(ids: readonly string[]): UploadStream[] | string {
    if (new Set(ids).size !== ids.length) return "Duplicate stream ids";
    const taken = ids.find((id) => this.#streams.has(id));
    if (taken !== undefined) return `Stream id '${taken}' is already in use`;
    return ids.map((id) => {
      const stream = new UploadStream(id, this.#maxBuffered);
      this.#streams.set(id, stream);
      return stream;
    });
  }

  /**
   * A StreamItem from the client. Unknown ids are ignored (the upload may
   * have failed or its method returned); returns false if dropped.
   */
  item(id: string, item: unknown): boolean {
    const stream = this.#streams.get(id);
    if (!stream) return false;
    if (stream.push(item)) return true;
    this.#streams.delete(id);
    return false;
  }

  /** A Completion for stream `id`; false if it is not an open upload. */
  complete(id: string, error?: string): boolean {
    const stream = this.#streams.get(id);
    if (!stream) return false;
    this.#streams.delete(id);
    stream.end(error);
    return true;
  }

  /**
   * Forgets `streams` once their method has returned; one still open ends
   * with an error, so a reader left running does not take it as complete.
   */
  release(streams: readonly UploadStream[]): void {
    for (const stream of streams) {
      if (this.#streams.get(stream.id) === stream) {
        this.#streams.delete(stream.id);
      }
      stream.end(`Upload stream '${stream.id}' ended: its method returned`);
    }
  }

  /** Fails every open upload (the connection closed). */
  failAll(error: string): void {
    for (const stream of this.#streams.values()) stream.end(error);
    this.#streams.clear();
  }
}
