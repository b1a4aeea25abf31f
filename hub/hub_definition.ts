/**
 * How an app describes a hub: its methods (called by clients) and the
 * connect/disconnect hooks. Methods take the call context first, then the
 * client's arguments; the number of arguments a client must send is the
 * method's declared parameters after the context (`fn.length - 1`).
 *
 * @example
 * ```ts
 * const hub = defineHub({
 *   methods: {
 *     Echo(_ctx, text: string) { return text; },
 *     Join(ctx, group: string) { return ctx.groups.add(ctx.connectionId, group); },
 *   },
 * });
 * ```
 *
 * @module
 */

import type { AnyEvents, CallerClients, EventsOf, Groups } from "./clients.ts";
import type { Presence } from "./presence.ts";
import type { Authorize } from "./authorization.ts";
import type { RequestInfo } from "./request_info.ts";
import type { TransportName } from "./transports/transport.ts";

/** One call as a filter sees it. */
export interface HubInvocation {
  /** The method's name as the hub declares it (not as the client spelt it). */
  readonly method: string;
  /** The client's arguments (upload streams last). */
  readonly args: readonly unknown[];
}

/** Wraps calls and lifetime hooks of a hub; every part is optional. */
export interface HubFilter {
  /**
   * Around one method call. `next(args?)` runs the rest of the chain (with
   * other arguments if given) and resolves with the method's result, or
   * rejects with its error. What this returns is the call's result.
   */
  invoke?(
    ctx: HubContext,
    invocation: HubInvocation,
    next: (args?: readonly unknown[]) => Promise<unknown>,
  ): unknown;
  /** Around `onConnected`; a throw closes the connection. */
  onConnected?(ctx: HubContext, next: () => Promise<void>): unknown;
  /** Around `onDisconnected`; `error` is why the connection ended. */
  onDisconnected?(
    ctx: HubContext,
    error: Error | undefined,
    next: () => Promise<void>,
  ): unknown;
}

/** What a hub method knows about its call. */
export interface HubContext<C extends EventsOf<C> = AnyEvents> {
  /** The caller's public connection id. */
  readonly connectionId: string;
  /** The caller's user id (the token's `sub`), or null when anonymous. */
  readonly userId: string | null;
  /** The caller's verified claims, or null when anonymous. */
  readonly user: Readonly<Record<string, unknown>> | null;
  /** Send to the caller, others, groups, users, everyone. */
  readonly clients: CallerClients<C>;
  /** Add or remove any connection to or from a group. */
  readonly groups: Groups;
  /** Who is in a group across the cluster (eventually consistent). */
  readonly presence: Presence;
  /** Per-connection data that lives as long as the connection. */
  readonly items: Map<string, unknown>;
  /** Ends the caller's connection. */
  abort(): void;
  /**
   * Aborted when the caller disconnects; in a streaming method also when
   * the client cancels that stream. Pass it to whatever the method awaits.
   */
  readonly signal: AbortSignal;
  /**
   * The request that opened the connection (WebSocket upgrade, SSE `GET`
   * or first long-poll `GET`), without its `access_token` query value.
   */
  readonly request: RequestInfo;
  /** The transport carrying the connection. */
  readonly transport: TransportName;
  /** The hub protocol the client chose in its handshake. */
  readonly protocol: "json" | "messagepack";
}

/** Server methods a client may call: name → signature (without context). */
// deno-lint-ignore no-explicit-any
export type ServerMethods = Record<string, (...args: any[]) => unknown>;

/**
 * Implementations of `S`, each taking the context first. A method whose
 * contract returns `AsyncIterable<T>` is a stream (`connection.stream()`);
 * a parameter of type `AsyncIterable<T>` is a client upload and must come
 * after the plain parameters: uploads are passed last, in the order the
 * client sent them.
 */
export type HubMethods<S extends EventsOf<S>, C extends EventsOf<C>> = {
  [K in keyof S]: (
    ctx: HubContext<C>,
    ...args: Parameters<S[K]>
  ) => ReturnType<S[K]> | Promise<Awaited<ReturnType<S[K]>>>;
};

/** A hub: methods plus optional lifetime hooks, filters and authorization. */
export interface HubDefinition<
  S extends EventsOf<S> = ServerMethods,
  C extends EventsOf<C> = AnyEvents,
> {
  /**
   * The hub's name in telemetry (`<name>/<Method>` spans, `rpc.service`),
   * like an ASP.NET hub's class name. Default: from the mount path,
   * `/chart` → `ChartHub` (see `hubNameFromPath`).
   */
  readonly name?: string;
  /**
   * Who may connect at all: negotiate and every transport request answer
   * 401 to anonymous callers and 403 to those the rule refuses.
   */
  readonly authorize?: Authorize;
  /** Wrap calls and lifetime hooks, inside the server's own filters. */
  readonly filters?: readonly HubFilter[];
  /** Methods matched case-insensitively, as ASP.NET does. */
  readonly methods: HubMethods<S, C>;
  /** After the handshake; a throw closes the connection. */
  onConnected?(ctx: HubContext<C>): void | Promise<void>;
  /** After the connection left every map. */
  onDisconnected?(ctx: HubContext<C>, error?: Error): void | Promise<void>;
}

/**
 * Declares a hub. With type arguments (`defineHub<Server, Client>(…)`) the
 * compiler checks method names and arguments against one description
 * shared with the client (see `typedConnection`): a misspelt, missing or
 * extra method, a wrong parameter type, and every `ctx.clients` send of an
 * unknown event or wrong argument is a compile error. Interfaces work as
 * contracts. Without type arguments every name and argument is allowed.
 *
 * @example
 * ```ts
 * interface Server { Add(a: number, b: number): number }
 * interface Client { added(sum: number): void }
 * const hub = defineHub<Server, Client>({
 *   methods: {
 *     Add(ctx, a, b) {
 *       ctx.clients.others.send("added", a + b);
 *       return a + b;
 *     },
 *   },
 * });
 * ```
 */
export function defineHub<
  S extends EventsOf<S> = ServerMethods,
  C extends EventsOf<C> = AnyEvents,
>(definition: HubDefinition<S, C>): HubDefinition<S, C> {
  return definition;
}

/**
 * A hub name from its mount path, in .NET's class-name style: the last
 * segment in PascalCase plus `Hub` (`/hubs/live-chart` → `LiveChartHub`,
 * `/` → `Hub`).
 */
export function hubNameFromPath(path: string): string {
  const segment = path.split("/").filter((s) => s !== "").at(-1) ?? "";
  const words = segment.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return name.toLowerCase().endsWith("hub") ? name : `${name}Hub`;
}
