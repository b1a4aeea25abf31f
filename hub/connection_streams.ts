/**
 * The streams of each connection: server→client streams it is receiving,
 * client→server uploads it is sending, and the abort signal its calls see.
 * Kept beside the connection in a WeakMap and made only on first use, so
 * the many connections that never stream pay nothing.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { CompletionMessage } from "./protocol/messages.ts";
import type { CallMessage } from "./pending_invocations.ts";
import { OutgoingStreams } from "./stream_sender.ts";
import { type UploadStream, UploadStreams } from "./upload_streams.ts";

export type { CallMessage } from "./pending_invocations.ts";

/** One connection's streams. */
export interface ConnectionStreams {
  /** Aborted at disconnect: `ctx.signal` of plain invocations. */
  readonly closed: AbortController;
  readonly outgoing: OutgoingStreams;
  readonly uploads: UploadStreams;
}

/** Limits the table applies, from `HubOptions`. */
export interface StreamLimits {
  readonly maxBufferedUploadItems: number;
  /** Server streams pause above half of this much unsent data. */
  readonly maxQueuedBytes: number;
}

/** Streams of every connection of one hub. */
export class StreamTable {
  /** Weak, so a connection's streams go with it even if cleanup is missed. */
  readonly #streams = new WeakMap<HubConnection, ConnectionStreams>();
  /** Uploads opened when a call arrived, until the call runs. */
  readonly #uploadsFor = new WeakMap<CallMessage, UploadStream[]>();
  readonly #limits: StreamLimits;

  /** A table applying `limits`. */
  constructor(limits: StreamLimits) {
    this.#limits = limits;
  }

  /** The connection's streams, made on first use. */
  of(connection: HubConnection): ConnectionStreams {
    let streams = this.#streams.get(connection);
    if (!streams) {
      streams = {
        closed: new AbortController(),
        outgoing: new OutgoingStreams(
          connection,
          this.#limits.maxQueuedBytes / 2,
        ),
        uploads: new UploadStreams(this.#limits.maxBufferedUploadItems),
      };
      this.#streams.set(connection, streams);
    }
    return streams;
  }

  /** Streams open on a connection, both directions. */
  openCount(connection: HubConnection): number {
    const streams = this.#streams.get(connection);
    return streams ? streams.outgoing.size + streams.uploads.size : 0;
  }

  /** Opens a call's uploads now (their items may arrive before it runs). */
  openUploads(connection: HubConnection, message: CallMessage): string | null {
    const opened = this.of(connection).uploads.open(message.streamIds ?? []);
    if (typeof opened === "string") return opened;
    this.#uploadsFor.set(message, opened);
    return null;
  }

  /** The uploads opened for `message`, handed over once. */
  takeUploads(message: CallMessage): UploadStream[] {
    const uploads = this.#uploadsFor.get(message) ?? [];
    this.#uploadsFor.delete(message);
    return uploads;
  }

  /** Ends uploads nobody will read. */
  release(connection: HubConnection, uploads: UploadStream[]): void {
    if (uploads.length > 0) this.of(connection).uploads.release(uploads);
  }

  /** `ctx.signal` for plain invocations: aborted at disconnect. */
  signal(connection: HubConnection): AbortSignal {
    return this.of(connection).closed.signal;
  }

  /** One uploaded item; false when its upload is unknown or has failed. */
  item(connection: HubConnection, id: string, item: unknown): boolean {
    return this.#streams.get(connection)?.uploads.item(id, item) ?? false;
  }

  /** A Completion that ends an upload; false if it is not one. */
  completeUpload(connection: HubConnection, message: CompletionMessage) {
    const uploads = this.#streams.get(connection)?.uploads;
    return uploads?.complete(message.invocationId, message.error) ?? false;
  }

  /** Stops one server stream, if it still runs. */
  cancel(connection: HubConnection, invocationId: string): void {
    this.#streams.get(connection)?.outgoing.cancel(invocationId);
  }

  /** The connection ended: stop its streams, fail its uploads. */
  closeAll(connection: HubConnection): void {
    const streams = this.#streams.get(connection);
    if (!streams) return;
    this.#streams.delete(connection);
    streams.closed.abort();
    streams.outgoing.stopAll();
    streams.uploads.failAll("The connection closed");
  }
}

/** True for values a hub method returns to mean "a stream". */
export function isAsyncIterable(
  value: unknown,
): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] ===
      "function";
}

/** Releases a stream nobody will read (a generator's `finally` runs). */
export async function closeQuietly(
  source: AsyncIterable<unknown>,
): Promise<void> {
  try {
    await source[Symbol.asyncIterator]().return?.();
  } catch {
    // Nothing to report to: the caller already gets an error completion.
  }
}
