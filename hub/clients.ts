/**
 * The Clients and Groups API handed to hub methods, and usable from
 * outside one (a timer, an HTTP route). Each targeting call returns a new
 * immutable proxy; sending goes through the lifetime manager.
 *
 * @module
 */

import type { Target } from "./backplane/backplane.ts";
import type { LifetimeManager } from "./lifetime_manager.ts";
import { HubError } from "./hub_error.ts";
import type { ClientResults } from "./client_results.ts";

/** Any client event signature; typed hubs narrow it (see hub_definition). */
// deno-lint-ignore no-explicit-any
export type AnyEvents = Record<string, (...args: any[]) => unknown>;

/**
 * What a contract of events (or methods) must be: every member a function.
 * Written over `T` itself so an `interface` qualifies too (an interface has
 * no index signature, so it is not assignable to `AnyEvents`).
 */
// deno-lint-ignore no-explicit-any
export type EventsOf<T> = { [K in keyof T]: (...args: any[]) => unknown };

/** Sends an event to whatever connections this proxy targets. */
export interface ClientProxy<C extends EventsOf<C> = AnyEvents> {
  /** Like SignalR's SendAsync: resolves once queued, not once received. */
  send<K extends keyof C & string>(
    method: K,
    ...args: Parameters<C[K]>
  ): Promise<void>;
}

/**
 * A proxy for exactly one connection, which can also ask it for a result
 * (SignalR's `InvokeAsync`). Groups, users and "all" cannot: which answer
 * would count?
 */
export interface SingleClientProxy<C extends EventsOf<C> = AnyEvents>
  extends ClientProxy<C> {
  /**
   * Calls the client's `method` handler and resolves with what it returns.
   * Rejects with a `HubError` holding the client's text when its handler
   * threw or is missing, and with a `ClientResultError` on timeout
   * (`clientResultTimeoutMs`, or `withTimeout`) and on disconnect. A
   * connection on another server process is asked through the backplane,
   * with the same errors.
   */
  invoke<K extends keyof C & string>(
    method: K,
    ...args: Parameters<C[K]>
  ): Promise<Awaited<ReturnType<C[K]>>>;
  /** The same target, with `invoke()` waiting at most `timeoutMs`. */
  withTimeout(timeoutMs: number): SingleClientProxy<C>;
}

/** Targets for sending, SignalR's `IHubClients`. */
export interface Clients<C extends EventsOf<C> = AnyEvents> {
  readonly all: ClientProxy<C>;
  allExcept(connectionIds: readonly string[]): ClientProxy<C>;
  client(connectionId: string): SingleClientProxy<C>;
  clients(connectionIds: readonly string[]): ClientProxy<C>;
  user(userId: string): ClientProxy<C>;
  users(userIds: readonly string[]): ClientProxy<C>;
  group(name: string): ClientProxy<C>;
  groups(names: readonly string[]): ClientProxy<C>;
  groupExcept(name: string, connectionIds: readonly string[]): ClientProxy<C>;
}

/** Clients as a hub method sees them: relative to the caller too. */
export interface CallerClients<C extends EventsOf<C> = AnyEvents>
  extends Clients<C> {
  readonly caller: SingleClientProxy<C>;
  readonly others: ClientProxy<C>;
  othersInGroup(name: string): ClientProxy<C>;
}

/** Group membership for any connection in the cluster. */
export interface Groups {
  add(connectionId: string, group: string): Promise<void>;
  remove(connectionId: string, group: string): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

class TargetProxy implements ClientProxy {
  readonly #manager: LifetimeManager;
  readonly #target: Target;
  readonly #localOnly: boolean;

  constructor(manager: LifetimeManager, target: Target, localOnly: boolean) {
    this.#manager = manager;
    this.#target = target;
    this.#localOnly = localOnly;
  }

  send(method: string, ...args: unknown[]): Promise<void> {
    this.#manager.send(this.#target, method, args, this.#localOnly);
    return DONE;
  }
}

class SingleTargetProxy extends TargetProxy implements SingleClientProxy {
  readonly #base: { manager: LifetimeManager; localOnly: boolean };
  readonly #id: string;
  readonly #results: ClientResults;
  readonly #timeoutMs: number | undefined;

  constructor(
    base: { manager: LifetimeManager; localOnly: boolean },
    id: string,
    results: ClientResults,
    timeoutMs?: number,
  ) {
    super(base.manager, { kind: "connections", ids: [id] }, base.localOnly);
    this.#base = base;
    this.#id = id;
    this.#results = results;
    this.#timeoutMs = timeoutMs;
  }

  invoke(method: string, ...args: unknown[]): Promise<unknown> {
    return this.#results.invoke(this.#id, method, args, this.#timeoutMs);
  }

  withTimeout(timeoutMs: number): SingleClientProxy {
    if (!(timeoutMs > 0)) throw new RangeError("A timeout must be positive");
    return new SingleTargetProxy(
      this.#base,
      this.#id,
      this.#results,
      timeoutMs,
    );
  }
}

/** `Clients` over a lifetime manager. */
export class HubClients implements Clients {
  readonly manager: LifetimeManager;
  readonly #localOnly: boolean;
  #all: ClientProxy | undefined;
  readonly #results: ClientResults;

  /**
   * Targets on `manager`. `results` lets `client(id)` invoke. `localOnly`
   * skips the backplane: each process feeds its own connections (a
   * per-process timer must not reach the others' clients a second time).
   */
  constructor(
    manager: LifetimeManager,
    results: ClientResults,
    localOnly = false,
  ) {
    this.manager = manager;
    this.#localOnly = localOnly;
    this.#results = results;
  }

  /** Everyone; made on first use since each connection has a `Clients`. */
  get all(): ClientProxy {
    return this.#all ??= this.to({ kind: "all" });
  }

  /** A proxy for any target (the building block of the methods below). */
  to(target: Target): ClientProxy {
    return new TargetProxy(this.manager, target, this.#localOnly);
  }
  allExcept(ids: readonly string[]): ClientProxy {
    return this.to({ kind: "all", except: [...ids] });
  }
  client(id: string): SingleClientProxy {
    const base = { manager: this.manager, localOnly: this.#localOnly };
    return new SingleTargetProxy(base, id, this.#results);
  }
  clients(ids: readonly string[]): ClientProxy {
    return this.to({ kind: "connections", ids: [...ids] });
  }
  user(id: string): ClientProxy {
    return this.to({ kind: "users", ids: [id] });
  }
  users(ids: readonly string[]): ClientProxy {
    return this.to({ kind: "users", ids: [...ids] });
  }
  group(name: string): ClientProxy {
    return this.to({ kind: "groups", names: [name] });
  }
  groups(names: readonly string[]): ClientProxy {
    return this.to({ kind: "groups", names: [...names] });
  }
  groupExcept(name: string, ids: readonly string[]): ClientProxy {
    return this.to({ kind: "groups", names: [name], except: [...ids] });
  }
}

/** `Clients` relative to one calling connection. */
export class HubCallerClients extends HubClients implements CallerClients {
  readonly #id: string;
  #caller: SingleClientProxy | undefined;
  #others: ClientProxy | undefined;

  /** Clients for hub methods of connection `connectionId`. */
  constructor(
    manager: LifetimeManager,
    connectionId: string,
    results: ClientResults,
  ) {
    super(manager, results);
    this.#id = connectionId;
  }

  get caller(): SingleClientProxy {
    return this.#caller ??= this.client(this.#id);
  }
  get others(): ClientProxy {
    return this.#others ??= this.allExcept([this.#id]);
  }
  othersInGroup(name: string): ClientProxy {
    return this.groupExcept(name, [this.#id]);
  }
}

/** `Groups` with name checks; names come from clients, so errors are HubErrors. */
export class HubGroups implements Groups {
  readonly #manager: LifetimeManager;
  readonly #maxNameLength: number;

  /** Groups on `manager`, names at most `maxNameLength` long. */
  constructor(manager: LifetimeManager, maxNameLength: number) {
    this.#manager = manager;
    this.#maxNameLength = maxNameLength;
  }

  add(connectionId: string, group: string): Promise<void> {
    this.#check(group);
    return this.#manager.addToGroup(connectionId, group);
  }

  remove(connectionId: string, group: string): Promise<void> {
    this.#check(group);
    return this.#manager.removeFromGroup(connectionId, group);
  }

  #check(group: unknown): void {
    if (typeof group !== "string" || group.length === 0) {
      throw new HubError("A group name must be a non-empty string");
    }
    if (group.length > this.#maxNameLength) {
      throw new HubError(
        `A group name may be at most ${this.#maxNameLength} characters`,
      );
    }
  }
}
