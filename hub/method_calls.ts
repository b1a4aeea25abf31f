/**
 * How one client call runs: find the method, check the arguments and the
 * method's rule, call it (through the filters when there are any), and
 * answer with ASP.NET's texts. Plain values are answered synchronously;
 * streams are handed to the connection's stream table. When a call runs
 * is the dispatcher's business, not this file's.
 *
 * @module
 */

import { HubError } from "./hub_error.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import {
  MessageType,
  type StreamInvocationMessage,
} from "./protocol/messages.ts";
import type { UploadStream } from "./upload_streams.ts";
import { ClientResultError } from "./client_result_error.ts";
import type { HubContext } from "./hub_definition.ts";
import { authorize, unauthorizedCall } from "./authorization.ts";
import type { Invoker } from "./hub_filters.ts";
import {
  type CallMessage,
  closeQuietly,
  isAsyncIterable,
  type StreamTable,
} from "./connection_streams.ts";
import type { InvocationQueue } from "./invocation_queue.ts";
import type { MethodEntry, MethodTable } from "./method_table.ts";
import type { HubFilter } from "./hub_filters.ts";

/** Dispatcher limits and switches, from `HubOptions`. */
export interface DispatcherOptions {
  readonly detailedErrors: boolean;
  readonly maxParallelInvocations: number;
  readonly maxPendingInvocationBytes: number;
  readonly maxStreamsPerConnection: number;
  readonly maxBufferedUploadItems: number;
  /** Server streams pause above half of this much unsent data. */
  readonly maxQueuedBytes: number;
  /** The claim method rules read roles from. */
  readonly rolesClaim: string;
  /** Server-wide filters, run outside the hub's own. */
  readonly filters: readonly HubFilter[];
}

/** What a call's outcome is: a result, an error text, or nothing. */
interface Outcome {
  result?: unknown;
  error?: string;
}

/** Runs single calls for the dispatcher. */
export class MethodCalls {
  readonly #table: MethodTable;
  readonly #options: DispatcherOptions;
  readonly #streams: StreamTable;
  readonly #invoker: Invoker | null;
  readonly #counters: HubCounters;
  readonly #logger: Logger;
  readonly #telemetry: HubTelemetry | null;

  /** Calls of `table`'s methods, through `invoker` when it is not null. */
  constructor(
    table: MethodTable,
    options: DispatcherOptions,
    parts: {
      streams: StreamTable;
      invoker: Invoker | null;
      counters: HubCounters;
      logger: Logger;
      telemetry: HubTelemetry | null;
    },
  ) {
    this.#table = table;
    this.#options = options;
    this.#streams = parts.streams;
    this.#invoker = parts.invoker;
    this.#counters = parts.counters;
    this.#logger = parts.logger;
    this.#telemetry = parts.telemetry;
  }

  /** Returns a promise only when the call could not finish synchronously. */
  call(
    queue: InvocationQueue,
    message: CallMessage,
  ): Promise<void> | undefined {
    const entry = this.#table.lookup(message.target);
    if (
      entry === undefined || message.type === MessageType.StreamInvocation ||
      message.streamIds?.length ||
      message.arguments.length !== entry.argCount ||
      entry.rule !== undefined
    ) return this.#callSlow(queue, message, entry);
    const id = message.invocationId;
    let result: unknown;
    try {
      // Through the filters when there are any: a promise unless every
      // filter has `invokeSync` (see hub_filters.ts).
      result = this.#apply(entry, queue.context, message.arguments);
    } catch (error) {
      this.#complete(queue, id, { error: this.#describe(entry, error) });
      return;
    }
    if (result instanceof Promise || isAsyncIterable(result)) {
      return this.#settle(queue, entry, id, result);
    }
    this.#complete(queue, id, { result });
  }

  /** Finishes a call whose method returned a promise or a stream. */
  async #settle(
    queue: InvocationQueue,
    entry: MethodEntry,
    id: string | undefined,
    pending: unknown,
  ): Promise<void> {
    try {
      const result = await pending;
      if (isAsyncIterable(result)) {
        void closeQuietly(result);
        this.#counters.errors++;
        this.#complete(queue, id, {
          error: `The client attempted to invoke the streaming ` +
            `'${entry.name}' method with a non-streaming invocation.`,
        });
      } else {
        this.#complete(queue, id, { result });
      }
    } catch (error) {
      this.#complete(queue, id, { error: this.#describe(entry, error) });
    }
  }

  /** Unknown methods, bad argument counts, rules, uploads and streams. */
  async #callSlow(
    queue: InvocationQueue,
    message: CallMessage,
    entry: MethodEntry | undefined,
  ): Promise<void> {
    const id = message.invocationId;
    const uploads = this.#streams.takeUploads(message);
    if (entry === undefined) {
      const unknown = `Unknown hub method '${message.target}'`;
      return this.#refuseRunning(queue, message, uploads, unknown);
    }
    const refusal =
      this.#table.checkArguments(entry, message, uploads.length) ??
        this.#checkAuthorized(queue, entry, message);
    if (refusal !== null) {
      return this.#refuseRunning(queue, message, uploads, refusal);
    }
    if (message.type === MessageType.StreamInvocation) {
      return this.#callStream(queue, message, entry, uploads);
    }
    try {
      // Uploads are passed after the plain arguments, in streamIds order.
      const pending = this.#apply(entry, queue.context, [
        ...message.arguments,
        ...uploads,
      ]);
      await this.#settle(queue, entry, id, pending);
    } catch (error) {
      this.#complete(queue, id, { error: this.#describe(entry, error) });
    } finally {
      this.#streams.release(queue.connection, uploads);
    }
  }

  /** Refuses a call that reached its turn, releasing its uploads. */
  #refuseRunning(
    queue: InvocationQueue,
    message: CallMessage,
    uploads: UploadStream[],
    error: string,
  ): void {
    this.#streams.release(queue.connection, uploads);
    this.refuse(queue, message, error);
  }

  /** Calls the method, through the filters when there are any. */
  #apply(entry: MethodEntry, ctx: HubContext, args: unknown[]): unknown {
    if (this.#invoker === null) return entry.fn(ctx, ...args);
    return this.#invoker(ctx, entry.name, entry.fn, args);
  }

  /** ASP.NET's refusal when `authorized(rule, fn)` turns the caller away. */
  #checkAuthorized(
    queue: InvocationQueue,
    entry: MethodEntry,
    message: CallMessage,
  ): string | null {
    if (entry.rule === undefined) return null;
    const { connection } = queue;
    const verdict = authorize(
      entry.rule,
      connection.principal,
      this.#options.rolesClaim,
    );
    if (verdict === "allowed") return null;
    this.#logger.log("info", "hub.unauthorized", {
      connectionId: connection.id,
      method: entry.name,
    });
    return unauthorizedCall(message.target);
  }

  /**
   * A StreamInvocation: the method runs in the invocation queue like any
   * call, but the stream it returns is sent outside it, so a long stream
   * does not hold up the connection's other calls.
   */
  async #callStream(
    queue: InvocationQueue,
    message: StreamInvocationMessage,
    entry: MethodEntry,
    uploads: UploadStream[],
  ): Promise<void> {
    const id = message.invocationId;
    const streams = this.#streams.of(queue.connection);
    const fail = (error: string) => {
      streams.outgoing.unreserve(id);
      streams.uploads.release(uploads);
      this.#complete(queue, id, { error });
    };
    const controller = this.#reserveStream(queue, id, entry, fail, uploads);
    if (controller === null) return;
    const ctx = queue.context.withSignal(controller.signal);
    let result: unknown;
    try {
      result = this.#apply(entry, ctx, [...message.arguments, ...uploads]);
      if (result instanceof Promise) result = await result;
    } catch (error) {
      return fail(this.#describe(entry, error));
    }
    if (!isAsyncIterable(result)) {
      this.#counters.errors++;
      return fail(
        `The client attempted to invoke the non-streaming '${entry.name}' ` +
          `method with a streaming invocation.`,
      );
    }
    streams.outgoing.start(
      id,
      result,
      (error) => this.#describe(entry, error),
      () => streams.uploads.release(uploads),
    );
  }

  /**
   * Holds stream `id` for the call, or refuses it through `fail` (too many
   * streams) or with an answer of its own (the id is streaming already:
   * the running stream keeps its id, and this call's uploads are freed).
   */
  #reserveStream(
    queue: InvocationQueue,
    id: string,
    entry: MethodEntry,
    fail: (error: string) => void,
    uploads: UploadStream[],
  ): AbortController | null {
    const { connection } = queue;
    // This call's uploads are open already and count too.
    const max = this.#options.maxStreamsPerConnection;
    if (this.#streams.openCount(connection) >= max) {
      this.#counters.errors++;
      fail(this.tooManyStreams(queue, entry.name));
      return null;
    }
    const controller = this.#streams.of(connection).outgoing.reserve(id);
    if (controller === null) {
      this.#counters.errors++;
      this.#streams.of(connection).uploads.release(uploads);
      this.#complete(queue, id, {
        error: `Invocation ID '${id}' is already in use.`,
      });
    }
    return controller;
  }

  /** The refusal past `maxStreamsPerConnection`, logged. */
  tooManyStreams(queue: InvocationQueue, target: string): string {
    this.#logger.log("warn", "stream.limit", {
      connectionId: queue.connection.id,
      method: target,
    });
    return `Failed to invoke '${target}': a connection may have at most ` +
      `${this.#options.maxStreamsPerConnection} open streams.`;
  }

  /** Answers a call the dispatcher refused before it ran. */
  refuse(queue: InvocationQueue, message: CallMessage, error: string): void {
    this.#counters.errors++;
    this.#complete(queue, message.invocationId, { error });
  }

  #describe(entry: MethodEntry, error: unknown): string {
    this.#counters.errors++;
    this.#telemetry?.failed(error);
    const base =
      `An unexpected error occurred invoking '${entry.name}' on the server.`;
    if (error instanceof HubError) {
      return `${base} HubException: ${error.message}`;
    }
    // A client that did not answer a client result is the client's fault:
    // any client can cause it, so it must not raise error-level lines.
    const level = error instanceof ClientResultError ? "warn" : "error";
    this.#logger.log(level, "hub.method_failed", {
      method: entry.name,
      error: error instanceof Error ? error.message : String(error),
    });
    if (!this.#options.detailedErrors) return base;
    const e = error instanceof Error ? error : new Error(String(error));
    return `${base} ${e.name}: ${e.message}`;
  }

  /** Sends the Completion of a blocking call; non-blocking calls get none. */
  #complete(
    queue: InvocationQueue,
    invocationId: string | undefined,
    outcome: Outcome,
  ): void {
    // A refusal (bad arguments, limits) fails the span too.
    if (outcome.error !== undefined) this.#telemetry?.failed(undefined);
    if (invocationId === undefined) return;
    const type = MessageType.Completion;
    const { connection } = queue;
    if (outcome.error !== undefined) {
      connection.sendMessage({ type, invocationId, error: outcome.error });
    } else if (outcome.result === undefined) {
      connection.sendMessage({ type, invocationId });
    } else {
      connection.sendMessage({
        type,
        invocationId,
        result: outcome.result,
        hasResult: true,
      });
    }
  }
}
