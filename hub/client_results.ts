/**
 * Client results: the server invokes a handler on one client with an
 * invocation id and awaits the Completion the client answers with
 * (SignalR's `Clients.Client(id).InvokeAsync`).
 *
 * The client's Completion is routed here by the connection handler as soon
 * as it is decoded, outside the per-connection invocation queue, so a hub
 * method may await its own caller without deadlocking: with one invocation
 * at a time per connection, the Completion would otherwise wait behind the
 * method itself.
 *
 * A connection another process holds is asked through the backplane
 * (see remote_client_results.ts) when the hub has one.
 *
 * Ids are `r1`, `r2`, ... so they never look like the client's numeric
 * upload stream ids, which share the Completion message type. Only the
 * connection asked may answer. The table is bounded; every entry has a
 * timer and leaves on answer, timeout or disconnect.
 *
 * @module
 */

import type { RoutedConnection } from "./routed_connection.ts";
import { HubError } from "./hub_error.ts";
import { ClientResultError } from "./client_result_error.ts";
import { type CompletionMessage, MessageType } from "./protocol/messages.ts";
import {
  RemoteClientResults,
  type ResultNode,
} from "./remote_client_results.ts";

export {
  ClientResultError,
  type ClientResultFailure,
} from "./client_result_error.ts";

/** A connection a call can go to; its state says whether it can answer. */
export interface ResultTarget extends RoutedConnection {
  /** "open", or "suspended" while it waits for a reconnect. */
  readonly state: string;
}

/** Limits of the pending table, from `HubOptions`. */
export interface ClientResultLimits {
  readonly clientResultTimeoutMs: number;
  readonly maxPendingClientResults: number;
}

interface Pending {
  readonly connectionId: string;
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The pending client-result calls of one hub on this node. */
export class ClientResults {
  readonly #find: (connectionId: string) => ResultTarget | undefined;
  readonly #limits: ClientResultLimits;
  readonly #pending = new Map<string, Pending>();
  readonly #byConnection = new Map<string, Set<string>>();
  #lastId = 0;
  /** Calls for other processes' connections; null without a backplane. */
  #remote: RemoteClientResults | null = null;

  /** A table finding local connections with `find`. */
  constructor(
    find: (connectionId: string) => ResultTarget | undefined,
    limits: ClientResultLimits,
  ) {
    this.#find = find;
    this.#limits = limits;
  }

  /**
   * Sends calls for connections this node does not hold to the others
   * through `node`, and returns the part that serves their calls to ours
   * (the lifetime manager routes backplane messages to it).
   */
  connectRemote(node: ResultNode): RemoteClientResults {
    const local = (
      id: string,
      method: string,
      args: readonly unknown[],
      timeoutMs: number,
    ) => this.invokeHere(id, method, args, timeoutMs);
    return this.#remote = new RemoteClientResults(
      node,
      local,
      this.#limits.maxPendingClientResults,
    );
  }

  /**
   * Invokes `method(...args)` on connection `connectionId` and resolves
   * with its handler's return value. A connection on another process is
   * asked through the backplane, when there is one.
   */
  invoke(
    connectionId: string,
    method: string,
    args: readonly unknown[],
    timeoutMs: number = this.#limits.clientResultTimeoutMs,
  ): Promise<unknown> {
    if (this.#remote !== null && !this.#find(connectionId)) {
      return this.#remote.invoke(connectionId, method, args, timeoutMs);
    }
    return this.invokeHere(connectionId, method, args, timeoutMs);
  }

  /** `invoke` for a connection on this node only; never forwards. */
  invokeHere(
    connectionId: string,
    method: string,
    args: readonly unknown[],
    timeoutMs: number,
  ): Promise<unknown> {
    const connection = this.#find(connectionId);
    // A suspended stateful connection still counts: the call waits in its
    // replay buffer until the client is back.
    const state = connection?.state;
    if (!connection || (state !== "open" && state !== "suspended")) {
      return Promise.reject(
        new ClientResultError(
          "not-connected",
          `Connection '${connectionId}' is not connected to this server ` +
            `process`,
        ),
      );
    }
    if (this.#pending.size >= this.#limits.maxPendingClientResults) {
      return Promise.reject(
        new ClientResultError(
          "too-many-pending",
          `Too many client results pending (${this.#limits.maxPendingClientResults})`,
        ),
      );
    }
    const id = `r${++this.#lastId}`;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const timer = setTimeout(() => {
      this.#settle(id)?.reject(
        new ClientResultError(
          "timeout",
          `Connection '${connectionId}' did not answer '${method}' within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    this.#pending.set(id, { connectionId, method, resolve, reject, timer });
    let ids = this.#byConnection.get(connectionId);
    if (!ids) this.#byConnection.set(connectionId, ids = new Set());
    ids.add(id);
    const sent = connection.sendMessage({
      type: MessageType.Invocation,
      invocationId: id,
      target: method,
      arguments: [...args],
    });
    if (!sent) this.#disconnected(id);
    return promise;
  }

  /**
   * A Completion from `connection`. Returns false when it answers nothing
   * pending for that connection (it may be an upload's end, or late).
   */
  complete(connection: RoutedConnection, message: CompletionMessage): boolean {
    const entry = this.#pending.get(message.invocationId);
    if (!entry || entry.connectionId !== connection.id) return false;
    this.#settle(message.invocationId);
    if (message.error !== undefined) entry.reject(new HubError(message.error));
    else entry.resolve(message.result);
    return true;
  }

  /** Rejects everything pending for a connection that closed. */
  connectionClosed(connectionId: string): void {
    const ids = this.#byConnection.get(connectionId);
    if (!ids) return;
    for (const id of [...ids]) this.#disconnected(id);
  }

  #disconnected(id: string): void {
    const entry = this.#settle(id);
    entry?.reject(
      new ClientResultError(
        "disconnected",
        `Connection '${entry.connectionId}' closed before it answered '${entry.method}'`,
      ),
    );
  }

  /** Removes `id` from the table and clears its timer. */
  #settle(id: string): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#pending.delete(id);
    const ids = this.#byConnection.get(entry.connectionId);
    ids?.delete(id);
    if (ids?.size === 0) this.#byConnection.delete(entry.connectionId);
    return entry;
  }
}
