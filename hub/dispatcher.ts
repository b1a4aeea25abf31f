/**
 * Calls hub methods for client invocations: a case-insensitive method
 * table, argument-count checks, ASP.NET's error texts, and at most
 * `maxParallelInvocations` running per connection with a bounded queue
 * behind them.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { HubDefinition } from "./hub_definition.ts";
import { HubError } from "./hub_error.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type {
  CancelInvocationMessage,
  CompletionMessage,
  StreamInvocationMessage,
  StreamItemMessage,
} from "./protocol/messages.ts";
import type { UploadStream } from "./upload_streams.ts";
import { turnSpent } from "./flush_queue.ts";
import type { HubContext } from "./hub_definition.ts";
import {
  type Authorize,
  authorize,
  ruleOf,
  unauthorizedCall,
} from "./authorization.ts";
import {
  type HubFilter,
  invocationChain,
  type Invoker,
} from "./hub_filters.ts";
import {
  type CallMessage,
  closeQuietly,
  isAsyncIterable,
  StreamTable,
} from "./connection_streams.ts";

/** A hub method as the dispatcher holds it. */
interface MethodEntry {
  readonly name: string;
  // deno-lint-ignore no-explicit-any
  readonly fn: (...args: any[]) => unknown;
  readonly argCount: number;
  /** Set by `authorized(rule, fn)`: checked before every call. */
  readonly rule: Authorize | undefined;
}

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

/** Runs invocations for connections of one hub. */
export class Dispatcher {
  readonly #methods = new Map<string, MethodEntry>();
  /** Exact-case names first: most clients spell methods as declared. */
  readonly #exact = new Map<string, MethodEntry>();
  readonly #options: DispatcherOptions;
  readonly #counters: HubCounters;
  readonly #logger: Logger;
  readonly #streams: StreamTable;
  /** The filters' call chain; null (a direct call) when there are none. */
  readonly #invoker: Invoker | null;
  /** Null while OpenTelemetry is off: one check per call, nothing more. */
  readonly #telemetry: HubTelemetry | null;

  /** Indexes `hub`'s methods by lower-cased name. */
  constructor(
    hub: HubDefinition,
    options: DispatcherOptions,
    observers: {
      counters: HubCounters;
      logger: Logger;
      telemetry?: HubTelemetry;
    },
  ) {
    for (const [name, fn] of Object.entries(hub.methods)) {
      const key = name.toLowerCase();
      if (this.#methods.has(key)) {
        throw new TypeError(`Hub methods differ only by case: '${name}'`);
      }
      const entry = { name, fn, argCount: fn.length - 1, rule: ruleOf(fn) };
      this.#methods.set(key, entry);
      this.#exact.set(name, entry);
    }
    this.#options = options;
    this.#invoker = invocationChain([
      ...options.filters,
      ...(hub.filters ?? []),
    ]);
    this.#streams = new StreamTable(options);
    this.#counters = observers.counters;
    this.#logger = observers.logger;
    const telemetry = observers.telemetry;
    this.#telemetry = telemetry?.enabled ? telemetry : null;
  }

  /**
   * Runs or queues an invocation that arrived in `size` bytes. False when
   * it would pass the pending bound: nothing was queued and the caller
   * must close the connection (a call is never dropped quietly). Upload
   * streams open now, not when the call runs: their items may come first.
   */
  invoke(connection: HubConnection, message: CallMessage, size = 0): boolean {
    if (message.streamIds?.length && !this.#openUploads(connection, message)) {
      return true;
    }
    if (connection.running < this.#options.maxParallelInvocations) {
      connection.running++;
      this.#run(connection, message);
      return true;
    }
    const max = this.#options.maxPendingInvocationBytes;
    if (connection.pending.push(message, size, max)) return true;
    this.#releaseUploads(connection, message);
    return false;
  }

  /** Starts queued invocations while there is room (after onConnected). */
  drain(connection: HubConnection): void {
    while (
      connection.state === "connected" &&
      connection.running < this.#options.maxParallelInvocations &&
      connection.pending.length > 0
    ) {
      connection.running++;
      this.#run(connection, connection.pending.shift()!);
    }
  }

  /**
   * Runs calls one after another. A method that returns a plain value is
   * answered synchronously (no promise, no microtask hop: the hot path of
   * request/response); only a pending result suspends the loop.
   */
  #run(connection: HubConnection, first: CallMessage): void {
    let message: CallMessage | undefined = first;
    while (message) {
      const pending = this.#telemetry
        ? this.#traced(this.#telemetry, connection, message)
        : this.#call(connection, message);
      if (pending) {
        pending.then(() => this.#next(connection));
        return;
      }
      if (this.#later(connection)) return;
      message = this.#nextMessage(connection);
    }
    connection.running--;
  }

  /**
   * Goes on with `connection`'s waiting calls in a later turn when this
   * one has queued its budget already (a burst of broadcasts), so what is
   * queued is written first and recipients hear while the burst is still
   * being carried out. A timer, not an immediate: the sockets' writes run
   * between the two.
   */
  #later(connection: HubConnection): boolean {
    if (connection.pending.length === 0 || !turnSpent()) return false;
    setTimeout(() => this.#next(connection), 0);
    return true;
  }

  /** `#call` inside the invocation's span (OpenTelemetry on). */
  #traced(
    telemetry: HubTelemetry,
    connection: HubConnection,
    message: CallMessage,
  ): Promise<void> | undefined {
    const name = this.#lookup(message.target)?.name;
    return telemetry.invocation(
      connection,
      name,
      () => this.#call(connection, message),
    );
  }

  #next(connection: HubConnection): void {
    if (this.#later(connection)) return;
    const message = this.#nextMessage(connection);
    if (message) this.#run(connection, message);
    else connection.running--;
  }

  #nextMessage(connection: HubConnection): CallMessage | undefined {
    return connection.state === "connected"
      ? connection.pending.shift()
      : undefined;
  }

  #lookup(target: string): MethodEntry | undefined {
    return this.#exact.get(target) ?? this.#methods.get(target.toLowerCase());
  }

  /** Returns a promise only when the call could not finish synchronously. */
  #call(
    connection: HubConnection,
    message: CallMessage,
  ): Promise<void> | undefined {
    const entry = this.#lookup(message.target);
    if (
      message.type === 4 || message.streamIds?.length || !entry ||
      message.arguments.length !== entry.argCount || entry.rule !== undefined
    ) return this.#callSlow(connection, message, entry);
    const id = message.invocationId;
    let result: unknown;
    try {
      // Through the filters when there are any: a promise unless every
      // filter has `invokeSync` (see hub_filters.ts).
      result = this.#invoker === null
        ? entry.fn(connection.context, ...message.arguments)
        : this.#invoker(connection.context!, entry.name, entry.fn, [
          ...message.arguments,
        ]);
    } catch (error) {
      this.#complete(connection, id, { error: this.#describe(entry, error) });
      return;
    }
    if (result instanceof Promise || isAsyncIterable(result)) {
      return this.#settle(connection, entry, id, result);
    }
    this.#complete(connection, id, { result });
  }

  /** Finishes a call whose method returned a promise or a stream. */
  async #settle(
    connection: HubConnection,
    entry: MethodEntry,
    id: string | undefined,
    pending: unknown,
  ): Promise<void> {
    try {
      const result = await pending;
      if (isAsyncIterable(result)) {
        void closeQuietly(result);
        this.#counters.errors++;
        this.#complete(connection, id, {
          error: `The client attempted to invoke the streaming ` +
            `'${entry.name}' method with a non-streaming invocation.`,
        });
      } else {
        this.#complete(connection, id, { result });
      }
    } catch (error) {
      this.#complete(connection, id, { error: this.#describe(entry, error) });
    }
  }

  /** Unknown methods, bad argument counts, uploads and streams. */
  async #callSlow(
    connection: HubConnection,
    message: CallMessage,
    entry: MethodEntry | undefined,
  ): Promise<void> {
    const id = message.invocationId;
    const uploads = this.#streams.takeUploads(message);
    const refusal = entry
      ? this.#checkArguments(entry, message, uploads.length) ??
        this.#checkAuthorized(connection, entry, message)
      : `Unknown hub method '${message.target}'`;
    if (refusal !== null) {
      this.#counters.errors++;
      this.#streams.release(connection, uploads);
      this.#complete(connection, id, { error: refusal });
      return;
    }
    if (message.type === 4) {
      return this.#callStream(connection, message, entry!, uploads);
    }
    try {
      // Uploads are passed after the plain arguments, in streamIds order.
      const pending = this.#apply(entry!, connection.context!, [
        ...message.arguments,
        ...uploads,
      ]);
      await this.#settle(connection, entry!, id, pending);
    } catch (error) {
      this.#complete(connection, id, { error: this.#describe(entry!, error) });
    } finally {
      this.#streams.release(connection, uploads);
    }
  }

  /** Calls the method, through the filters when there are any. */
  #apply(entry: MethodEntry, ctx: HubContext, args: unknown[]): unknown {
    if (this.#invoker === null) return entry.fn(ctx, ...args);
    return this.#invoker(ctx, entry.name, entry.fn, args);
  }

  /** ASP.NET's refusal when `authorized(rule, fn)` turns the caller away. */
  #checkAuthorized(
    connection: HubConnection,
    entry: MethodEntry,
    message: CallMessage,
  ): string | null {
    if (entry.rule === undefined) return null;
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

  #checkArguments(
    entry: MethodEntry,
    message: CallMessage,
    uploads: number,
  ): string | null {
    const given = message.arguments.length + uploads;
    if (given === entry.argCount) return null;
    return `Failed to invoke '${message.target}' due to an error on the ` +
      `server. InvalidDataException: Invocation provides ${given} ` +
      `argument(s) but target expects ${entry.argCount}.`;
  }

  /**
   * A StreamInvocation: the method runs in the invocation queue like any
   * call, but the stream it returns is sent outside it, so a long stream
   * does not hold up the connection's other calls.
   */
  async #callStream(
    connection: HubConnection,
    message: StreamInvocationMessage,
    entry: MethodEntry,
    uploads: UploadStream[],
  ) {
    const id = message.invocationId;
    const streams = this.#streams.of(connection);
    const fail = (error: string) => {
      streams.outgoing.unreserve(id);
      streams.uploads.release(uploads);
      this.#complete(connection, id, { error });
    };
    const max = this.#options.maxStreamsPerConnection;
    // This call's uploads are open already and count too.
    if (this.#streams.openCount(connection) >= max) {
      this.#counters.errors++;
      return fail(this.#tooManyStreams(connection, entry.name));
    }
    const controller = streams.outgoing.reserve(id);
    if (!controller) {
      this.#counters.errors++;
      return this.#complete(connection, id, {
        error: `Invocation ID '${id}' is already in use.`,
      });
    }
    const ctx = connection.context!.withSignal(controller.signal);
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

  #tooManyStreams(connection: HubConnection, target: string): string {
    this.#logger.log("warn", "stream.limit", {
      connectionId: connection.id,
      method: target,
    });
    return `Failed to invoke '${target}': a connection may have at most ` +
      `${this.#options.maxStreamsPerConnection} open streams.`;
  }

  /** Opens a call's uploads, or refuses the call (false). */
  #openUploads(connection: HubConnection, message: CallMessage): boolean {
    const open = this.#streams.openCount(connection);
    const refusal =
      open + message.streamIds!.length > this.#options.maxStreamsPerConnection
        ? this.#tooManyStreams(connection, message.target)
        : this.#streams.openUploads(connection, message);
    if (refusal === null) return true;
    this.#counters.errors++;
    this.#complete(connection, message.invocationId, { error: refusal });
    return false;
  }

  #releaseUploads(connection: HubConnection, message: CallMessage): void {
    this.#streams.release(connection, this.#streams.takeUploads(message));
  }

  /** `ctx.signal` for plain invocations: aborted at disconnect. */
  connectionSignal(connection: HubConnection): AbortSignal {
    return this.#streams.signal(connection);
  }

  /** A StreamItem from the client: one item of an upload. */
  streamItem(connection: HubConnection, message: StreamItemMessage): void {
    if (!this.#streams.item(connection, message.invocationId, message.item)) {
      // Unknown, ended or overflowed: the upload has already failed.
      this.#counters.messagesDropped++;
    }
  }

  /** A Completion that ends an upload; false if it is not one. */
  completeUpload(
    connection: HubConnection,
    message: CompletionMessage,
  ): boolean {
    return this.#streams.completeUpload(connection, message);
  }

  /** A CancelInvocation: stops that server stream, if it still runs. */
  cancel(connection: HubConnection, message: CancelInvocationMessage): void {
    this.#streams.cancel(connection, message.invocationId);
  }

  /** The connection ended: stop its streams, fail its uploads. */
  connectionClosed(connection: HubConnection): void {
    this.#streams.closeAll(connection);
  }

  #describe(entry: MethodEntry, error: unknown): string {
    this.#counters.errors++;
    this.#telemetry?.failed(error);
    const base =
      `An unexpected error occurred invoking '${entry.name}' on the server.`;
    if (error instanceof HubError) {
      return `${base} HubException: ${error.message}`;
    }
    this.#logger.log("error", "hub.method_failed", {
      method: entry.name,
      error: error instanceof Error ? error.message : String(error),
    });
    if (!this.#options.detailedErrors) return base;
    const e = error instanceof Error ? error : new Error(String(error));
    return `${base} ${e.name}: ${e.message}`;
  }

  /** Sends the Completion of a blocking call; non-blocking calls get none. */
  #complete(
    connection: HubConnection,
    invocationId: string | undefined,
    outcome: { result?: unknown; error?: string },
  ): void {
    // A refusal (bad arguments, limits) fails the span too.
    if (outcome.error !== undefined) this.#telemetry?.failed(undefined);
    if (invocationId === undefined) return;
    if (outcome.error !== undefined) {
      connection.sendMessage({ type: 3, invocationId, error: outcome.error });
    } else if (outcome.result === undefined) {
      connection.sendMessage({ type: 3, invocationId });
    } else {
      connection.sendMessage({
        type: 3,
        invocationId,
        result: outcome.result,
        hasResult: true,
      });
    }
  }
}
