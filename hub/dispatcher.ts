/**
 * Runs client invocations for the connections of one hub: at most
 * `maxParallelInvocations` running per connection, the rest waiting in
 * order behind them (bounded in bytes), nothing at all while the
 * connection's `onConnected` runs. Each connection's queue is the
 * dispatcher's own (`InvocationQueue`), made at the handshake by `open`
 * and kept on the connection, so finding it costs no lookup.
 * How a single call runs is in method_calls.ts.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { ConnectionContext } from "./connection_context.ts";
import type { HubDefinition } from "./hub_definition.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type {
  CancelInvocationMessage,
  CompletionMessage,
  StreamItemMessage,
} from "./protocol/messages.ts";
import { turnSpent } from "./flush_queue.ts";
import { invocationChain } from "./hub_filters.ts";
import { type CallMessage, StreamTable } from "./connection_streams.ts";
import { InvocationQueue } from "./invocation_queue.ts";
import { MethodTable } from "./method_table.ts";
import { type DispatcherOptions, MethodCalls } from "./method_calls.ts";

export type { DispatcherOptions } from "./method_calls.ts";

/** Runs invocations for connections of one hub. */
export class Dispatcher {
  readonly #table: MethodTable;
  readonly #calls: MethodCalls;
  readonly #options: DispatcherOptions;
  readonly #counters: HubCounters;
  readonly #streams: StreamTable;
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
    this.#table = new MethodTable(hub);
    this.#options = options;
    this.#streams = new StreamTable(options);
    this.#counters = observers.counters;
    const telemetry = observers.telemetry;
    this.#telemetry = telemetry?.enabled ? telemetry : null;
    this.#calls = new MethodCalls(this.#table, options, {
      streams: this.#streams,
      invoker: invocationChain([...options.filters, ...(hub.filters ?? [])]),
      counters: observers.counters,
      logger: observers.logger,
      telemetry: this.#telemetry,
    });
  }

  /**
   * A connection completed its handshake: its queue starts held, so calls
   * that arrive before `release` (after `onConnected`) wait, in order.
   */
  open(connection: HubConnection, context: ConnectionContext): void {
    connection.keepCalls(new InvocationQueue(connection, context));
  }

  /** `onConnected` finished: start what waits. */
  release(connection: HubConnection): void {
    const queue = queueOf(connection);
    if (queue === undefined) return;
    queue.release();
    this.drain(connection);
  }

  /** Calls running on a connection now (tests and the admin view). */
  running(connection: HubConnection): number {
    return queueOf(connection)?.running ?? 0;
  }

  /** Calls waiting on a connection now (logs and tests). */
  waiting(connection: HubConnection): number {
    return queueOf(connection)?.waiting ?? 0;
  }

  /**
   * Runs or queues an invocation that arrived in `size` bytes. False when
   * it would pass the pending bound: nothing was queued and the caller
   * must close the connection (a call is never dropped quietly). Upload
   * streams open now, not when the call runs: their items may come first.
   */
  invoke(connection: HubConnection, message: CallMessage, size = 0): boolean {
    const queue = queueOf(connection);
    if (queue === undefined) return true; // not handshaken, or closed
    if (message.streamIds?.length && !this.#openUploads(queue, message)) {
      return true;
    }
    const max = this.#options.maxParallelInvocations;
    if (queue.canStart(max) && queue.waiting === 0) {
      queue.started();
      this.#run(queue, message);
      return true;
    }
    if (queue.wait(message, size, this.#options.maxPendingInvocationBytes)) {
      return true;
    }
    this.#streams.release(connection, this.#streams.takeUploads(message));
    return false;
  }

  /** Starts waiting calls while there is room (after onConnected, resume). */
  drain(connection: HubConnection): void {
    const queue = queueOf(connection);
    if (queue === undefined) return;
    const max = this.#options.maxParallelInvocations;
    while (queue.canStart(max)) {
      const message = queue.next();
      if (message === undefined) return;
      queue.started();
      this.#run(queue, message);
    }
  }

  /**
   * Runs calls one after another. A method that returns a plain value is
   * answered synchronously (no promise, no microtask hop: the hot path of
   * request/response); only a pending result suspends the loop.
   */
  #run(queue: InvocationQueue, first: CallMessage): void {
    let message: CallMessage | undefined = first;
    while (message) {
      const pending = this.#telemetry
        ? this.#traced(this.#telemetry, queue, message)
        : this.#calls.call(queue, message);
      if (pending) {
        pending.then(() => this.#next(queue));
        return;
      }
      if (this.#later(queue)) return;
      message = queue.next();
    }
    queue.finished();
  }

  /**
   * Goes on with a connection's waiting calls in a later turn when this
   * one has queued its budget already (a burst of broadcasts), so what is
   * queued is written first and recipients hear while the burst is still
   * being carried out. A timer, not an immediate: the sockets' writes run
   * between the two.
   */
  #later(queue: InvocationQueue): boolean {
    if (queue.waiting === 0 || !turnSpent()) return false;
    setTimeout(() => this.#next(queue), 0);
    return true;
  }

  #next(queue: InvocationQueue): void {
    if (this.#later(queue)) return;
    const message = queue.next();
    if (message) this.#run(queue, message);
    else queue.finished();
  }

  /** A call inside the invocation's span (OpenTelemetry on). */
  #traced(
    telemetry: HubTelemetry,
    queue: InvocationQueue,
    message: CallMessage,
  ): Promise<void> | undefined {
    const name = this.#table.lookup(message.target)?.name;
    return telemetry.invocation(
      queue.connection,
      name,
      () => this.#calls.call(queue, message),
    );
  }

  /** Opens a call's uploads, or refuses the call (false). */
  #openUploads(queue: InvocationQueue, message: CallMessage): boolean {
    const { connection } = queue;
    const open = this.#streams.openCount(connection);
    const asked = message.streamIds?.length ?? 0;
    const refusal = open + asked > this.#options.maxStreamsPerConnection
      ? this.#calls.tooManyStreams(queue, message.target)
      : this.#streams.openUploads(connection, message);
    if (refusal === null) return true;
    this.#calls.refuse(queue, message, refusal);
    return false;
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

  /**
   * The connection ended: stop its streams, fail its uploads, forget its
   * queue. Returns the context its hooks got and how many calls were
   * still waiting (they are dropped), or null if it never handshook.
   */
  close(
    connection: HubConnection,
  ): { context: ConnectionContext; dropped: number } | null {
    const queue = queueOf(connection);
    if (queue === undefined) return null;
    connection.keepCalls(null);
    this.#streams.closeAll(connection);
    return { context: queue.context, dropped: queue.clear() };
  }
}

/** The connection's queue (kept on it by `open`), if it has one. */
function queueOf(connection: HubConnection): InvocationQueue | undefined {
  const calls = connection.calls;
  return calls instanceof InvocationQueue ? calls : undefined;
}
