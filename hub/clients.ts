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
import { EncodedMessage } from "./encoded_message.ts";

/** Any client event signature; typed hubs narrow it (see hub_definition). */
// deno-lint-ignore no-explicit-any
export type AnyEvents = Record<string, (...args: any[]) => unknown>;

/** Sends an event to whatever connections this proxy targets. */
export interface ClientProxy<C extends AnyEvents = AnyEvents> {
  /** Like SignalR's SendAsync: resolves once queued, not once received. */
  send<K extends keyof C & string>(
    method: K,
    ...args: Parameters<C[K]>
  ): Promise<void>;
}

/** Targets for sending, SignalR's `IHubClients`. */
export interface Clients<C extends AnyEvents = AnyEvents> {
  readonly all: ClientProxy<C>;
  allExcept(connectionIds: readonly string[]): ClientProxy<C>;
  client(connectionId: string): ClientProxy<C>;
  clients(connectionIds: readonly string[]): ClientProxy<C>;
  user(userId: string): ClientProxy<C>;
  users(userIds: readonly string[]): ClientProxy<C>;
  group(name: string): ClientProxy<C>;
  groups(names: readonly string[]): ClientProxy<C>;
  groupExcept(name: string, connectionIds: readonly string[]): ClientProxy<C>;
}

/** Clients as a hub method sees them: relative to the caller too. */
export interface CallerClients<C extends AnyEvents = AnyEvents>
  extends Clients<C> {
  readonly caller: ClientProxy<C>;
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
    if (this.#localOnly) {
      this.#manager.deliverLocal(
        this.#target,
        new EncodedMessage({ type: 1, target: method, arguments: args }),
      );
    } else {
      this.#manager.send(this.#target, method, args);
    }
    return DONE;
  }
}

/** `Clients` over a lifetime manager. */
export class HubClients implements Clients {
  readonly manager: LifetimeManager;
  readonly all: ClientProxy;
  readonly #localOnly: boolean;

  /**
   * Targets on `manager`. `localOnly` skips the backplane: each process
   * feeds its own connections (a per-process timer must not reach the
   * others' clients a second time).
   */
  constructor(manager: LifetimeManager, localOnly = false) {
    this.manager = manager;
    this.#localOnly = localOnly;
    this.all = this.to({ kind: "all" });
  }

  /** A proxy for any target (the building block of the methods below). */
  to(target: Target): ClientProxy {
    return new TargetProxy(this.manager, target, this.#localOnly);
  }
  allExcept(ids: readonly string[]): ClientProxy {
    return this.to({ kind: "all", except: [...ids] });
  }
  client(id: string): ClientProxy {
    return this.to({ kind: "connections", ids: [id] });
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
  #caller: ClientProxy | undefined;
  #others: ClientProxy | undefined;

  /** Clients for hub methods of connection `connectionId`. */
  constructor(manager: LifetimeManager, connectionId: string) {
    super(manager);
    this.#id = connectionId;
  }

  get caller(): ClientProxy {
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
