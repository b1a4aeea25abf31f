/**
 * What the dispatcher keeps per hub connection: the context its methods
 * get, how many of its calls run now, the calls waiting behind them, and
 * whether it is held (`onConnected` has not finished: calls that arrive
 * meanwhile wait, then run in order). Made at the handshake, dropped at
 * cleanup; the waiting list is made on first use.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { ConnectionContext } from "./connection_context.ts";
import { PendingInvocations } from "./pending_invocations.ts";
import type { CallMessage } from "./pending_invocations.ts";

/** One connection's invocations as the dispatcher runs them. */
export class InvocationQueue {
  readonly connection: HubConnection;
  readonly context: ConnectionContext;
  /** Calls started and not finished (at most `maxParallelInvocations`). */
  #running = 0;
  /** True until `release`: nothing starts while `onConnected` runs. */
  #held = true;
  #pending: PendingInvocations | null = null;

  /** A held queue for `connection`, whose methods get `context`. */
  constructor(connection: HubConnection, context: ConnectionContext) {
    this.connection = connection;
    this.context = context;
  }

  /** Calls running now. */
  get running(): number {
    return this.#running;
  }

  /** True while `onConnected` has not finished. */
  get held(): boolean {
    return this.#held;
  }

  /** Calls waiting to start. */
  get waiting(): number {
    return this.#pending?.length ?? 0;
  }

  /** Lets calls start (after `onConnected`). */
  release(): void {
    this.#held = false;
  }

  /** True when one more call may start now, out of `max` in parallel. */
  canStart(max: number): boolean {
    return !this.#held && this.#running < max &&
      this.connection.state === "open";
  }

  /** Counts a call as running. */
  started(): void {
    this.#running++;
  }

  /** Counts a running call as done. */
  finished(): void {
    this.#running--;
  }

  /** Queues a call behind the running ones; false past `maxBytes`. */
  wait(message: CallMessage, size: number, maxBytes: number): boolean {
    this.#pending ??= new PendingInvocations();
    return this.#pending.push(message, size, maxBytes);
  }

  /** The oldest waiting call, if the connection is still open. */
  next(): CallMessage | undefined {
    if (this.connection.state !== "open") return undefined;
    return this.#pending?.shift();
  }

  /** Forgets the waiting calls (the connection ended); returns how many. */
  clear(): number {
    return this.#pending?.clear() ?? 0;
  }
}
