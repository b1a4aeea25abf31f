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
import type { InvocationMessage } from "./protocol/messages.ts";

/** A hub method as the dispatcher holds it. */
interface MethodEntry {
  readonly name: string;
  // deno-lint-ignore no-explicit-any
  readonly fn: (...args: any[]) => unknown;
  readonly argCount: number;
}

/** Dispatcher limits and switches, from `HubOptions`. */
export interface DispatcherOptions {
  readonly detailedErrors: boolean;
  readonly maxParallelInvocations: number;
  readonly maxPendingInvocations: number;
}

/** Runs invocations for connections of one hub. */
export class Dispatcher {
  readonly #methods = new Map<string, MethodEntry>();
  readonly #options: DispatcherOptions;
  readonly #counters: HubCounters;
  readonly #logger: Logger;

  /** Indexes `hub`'s methods by lower-cased name. */
  constructor(
    hub: HubDefinition,
    options: DispatcherOptions,
    observers: { counters: HubCounters; logger: Logger },
  ) {
    for (const [name, fn] of Object.entries(hub.methods)) {
      const key = name.toLowerCase();
      if (this.#methods.has(key)) {
        throw new TypeError(`Hub methods differ only by case: '${name}'`);
      }
      this.#methods.set(key, { name, fn, argCount: fn.length - 1 });
    }
    this.#options = options;
    this.#counters = observers.counters;
    this.#logger = observers.logger;
  }

  /** Whether a method exists (for stream and upload handlers). */
  has(target: string): boolean {
    return this.#methods.has(target.toLowerCase());
  }

  /** Runs or queues an invocation; refuses past the queue bound. */
  invoke(connection: HubConnection, message: InvocationMessage): void {
    if (connection.running < this.#options.maxParallelInvocations) {
      connection.running++;
      this.#run(connection, message);
      return;
    }
    if (connection.pending.length < this.#options.maxPendingInvocations) {
      connection.pending.push(message);
      return;
    }
    this.#counters.messagesDropped++;
    this.#complete(connection, message.invocationId, {
      error:
        `Failed to invoke '${message.target}': too many pending invocations.`,
    });
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

  async #run(connection: HubConnection, first: InvocationMessage) {
    let message: InvocationMessage | undefined = first;
    while (message) {
      await this.#call(connection, message);
      message = connection.state === "connected"
        ? connection.pending.shift()
        : undefined;
    }
    connection.running--;
  }

  async #call(connection: HubConnection, message: InvocationMessage) {
    const id = message.invocationId;
    const entry = this.#methods.get(message.target.toLowerCase());
    if (!entry) {
      this.#counters.errors++;
      this.#complete(connection, id, {
        error: `Unknown hub method '${message.target}'`,
      });
      return;
    }
    const args = message.arguments;
    if (args.length !== entry.argCount || message.streamIds?.length) {
      this.#counters.errors++;
      this.#complete(connection, id, {
        error: `Failed to invoke '${message.target}' due to an error on the ` +
          `server. InvalidDataException: Invocation provides ${args.length} ` +
          `argument(s) but target expects ${entry.argCount}.`,
      });
      return;
    }
    try {
      let result = entry.fn(connection.context, ...args);
      if (result instanceof Promise) result = await result;
      this.#complete(connection, id, { result });
    } catch (error) {
      this.#complete(connection, id, { error: this.#describe(entry, error) });
    }
  }

  #describe(entry: MethodEntry, error: unknown): string {
    this.#counters.errors++;
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
