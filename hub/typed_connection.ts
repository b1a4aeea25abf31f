/**
 * The client half of a typed hub: a thin wrapper over the official
 * `@microsoft/signalr` `HubConnection` that checks method names, arguments,
 * results, stream items and event handlers against the same contract the
 * server's `defineHub<Server, Client>` uses.
 *
 * It lives in the library because it is the other half of that contract,
 * yet it is safe in a browser bundle: it imports nothing at run time (only
 * types from `@microsoft/signalr` and from this library, all erased), so
 * an island that imports this file directly pulls in no server code. Do
 * not import it through `hub/mod.ts` from browser code.
 *
 * @example
 * ```ts
 * import { HubConnectionBuilder } from "@microsoft/signalr";
 * import { typedConnection } from "../hub/typed_connection.ts";
 * import type { ChartClient, ChartServer } from "../chart/chart_contract.ts";
 *
 * const raw = new HubConnectionBuilder().withUrl("/chart").build();
 * const hub = typedConnection<ChartServer, ChartClient>(raw);
 * hub.on("transferchartdata", (series) => draw(series));
 * await raw.start();
 * const id: string = await hub.invoke("GetConnectionId");
 * hub.stream("StreamChartHistory", 50).subscribe({ next, complete, error });
 * ```
 *
 * @module
 */

import type { HubConnection, IStreamResult } from "@microsoft/signalr";
import type { EventsOf } from "./clients.ts";

/** Names of the contract's methods that return a stream. */
export type StreamMethodName<S> =
  & {
    [K in keyof S]: S[K] extends (...args: never[]) => AsyncIterable<unknown>
      ? K
      : never;
  }[keyof S]
  & string;

/** Names of the contract's methods answered by a single result. */
export type CallMethodName<S> = Exclude<keyof S & string, StreamMethodName<S>>;

/**
 * Arguments as the client passes them: an upload parameter, declared as
 * `AsyncIterable<T>` on the server, is sent as an observable such as
 * `new signalR.Subject<T>()`.
 */
export type ClientArgs<P extends readonly unknown[]> = {
  [I in keyof P]: P[I] extends AsyncIterable<infer T> ? IStreamResult<T> : P[I];
};

/** What a call of `S[K]` resolves to. */
export type CallResult<F> = F extends (...args: never[]) => infer R ? Awaited<R>
  : never;

/** The item type of the stream method `S[K]`. */
export type StreamItem<F> = F extends
  (...args: never[]) => AsyncIterable<infer T> ? T : never;

/** An event handler for `C[K]`; an awaited value answers client results. */
export type EventHandler<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => R | Promise<Awaited<R>>
  : never;

/** A `HubConnection` seen through a contract. */
export interface TypedHubConnection<
  S extends EventsOf<S>,
  C extends EventsOf<C>,
> {
  /** The wrapped connection, for start/stop and lifecycle events. */
  readonly connection: HubConnection;
  /** Calls a server method and resolves with its result. */
  invoke<K extends CallMethodName<S>>(
    method: K,
    ...args: ClientArgs<Parameters<S[K]>>
  ): Promise<CallResult<S[K]>>;
  /** Calls a server method without waiting for (or getting) a result. */
  send<K extends CallMethodName<S>>(
    method: K,
    ...args: ClientArgs<Parameters<S[K]>>
  ): Promise<void>;
  /** Starts a server stream; dispose the subscription to cancel it. */
  stream<K extends StreamMethodName<S>>(
    method: K,
    ...args: ClientArgs<Parameters<S[K]>>
  ): IStreamResult<StreamItem<S[K]>>;
  /**
   * Handles a client event; returns a function that removes the handler.
   * For a client-result event the handler's return value is the answer.
   */
  on<K extends keyof C & string>(
    event: K,
    handler: EventHandler<C[K]>,
  ): () => void;
}

/**
 * Wraps `connection` with the types of contract `S` (server methods) and
 * `C` (client events). No run-time cost beyond one object.
 */
export function typedConnection<S extends EventsOf<S>, C extends EventsOf<C>>(
  connection: HubConnection,
): TypedHubConnection<S, C> {
  return {
    connection,
    invoke: (method, ...args) => connection.invoke(method, ...args),
    send: (method, ...args) => connection.send(method, ...args),
    stream: (method, ...args) => connection.stream(method, ...args),
    on(event, handler) {
      // deno-lint-ignore no-explicit-any
      const untyped = handler as (...args: any[]) => any;
      connection.on(event, untyped);
      return () => connection.off(event, untyped);
    },
  };
}
