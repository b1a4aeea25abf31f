/**
 * The `ctx` hub methods and lifetime hooks get: one per connection, made
 * at handshake and reused for every call.
 *
 * A class rather than an object literal because 10,000 idle connections
 * each hold one: a literal with getters and an `abort` arrow cost about
 * 750 bytes (three closures, their scope, and a dictionary-mode property
 * store), this costs about 40. What a connection rarely uses (its
 * `Clients`, its `items` map, its abort signal) is made on first use.
 *
 * @module
 */

import type { HubContext } from "./hub_definition.ts";
import type { HubConnection } from "./connection.ts";
import type { LifetimeManager } from "./lifetime_manager.ts";
import type { ClientResults } from "./client_results.ts";
import { HubCallerClients, type HubGroups } from "./clients.ts";
import type { Presence } from "./presence.ts";
import type { RequestInfo } from "./request_info.ts";
import type { TransportName } from "./transports/transport.ts";

/** What every context of a hub shares: one object, not one per connection. */
export interface ContextServices {
  readonly manager: LifetimeManager;
  readonly groups: HubGroups;
  readonly results: ClientResults;
  /** `ctx.signal` of plain invocations: aborted at disconnect. */
  connectionSignal(connection: HubConnection): AbortSignal;
  /** `ctx.abort()`: ends the connection. */
  abort(connection: HubConnection): void;
}

const NOT_HANDSHAKEN = "A context needs a handshaken connection";

/** `HubContext` of one connection. */
export class ConnectionContext implements HubContext {
  readonly connectionId: string;
  readonly userId: string | null;
  /** The claims at handshake (a stateful reconnect may bring fresher ones). */
  #user: Readonly<Record<string, unknown>> | null;
  readonly #connection: HubConnection;
  readonly #services: ContextServices;
  /** Set for a streaming call: its own signal, which a cancel aborts too. */
  #signal: AbortSignal | null = null;
  #clients: HubCallerClients | null = null;

  /**
   * The context of `connection`, which has completed its handshake (a
   * TypeError otherwise: there is no request or protocol to show yet).
   */
  constructor(connection: HubConnection, services: ContextServices) {
    if (connection.protocol === null) throw new TypeError(NOT_HANDSHAKEN);
    this.connectionId = connection.id;
    this.userId = connection.userId;
    this.#user = connection.principal?.claims ?? null;
    this.#connection = connection;
    this.#services = services;
  }

  get user(): Readonly<Record<string, unknown>> | null {
    return this.#user;
  }

  /** Made on first send: most connections only ever receive. */
  get clients(): HubCallerClients {
    return this.#clients ??= new HubCallerClients(
      this.#services.manager,
      this.connectionId,
      this.#services.results,
    );
  }

  get groups(): HubGroups {
    return this.#services.groups;
  }

  get presence(): Presence {
    return this.#services.manager.presence;
  }

  get items(): Map<string, unknown> {
    return this.#connection.items;
  }

  // The three below are set before the handshake completes, which the
  // constructor checked; the throws only keep the types honest.
  get request(): RequestInfo {
    const request = this.#connection.request;
    if (request === null) throw new TypeError(NOT_HANDSHAKEN);
    return request;
  }

  get transport(): TransportName {
    const name = this.#connection.transportName;
    if (name === null) throw new TypeError(NOT_HANDSHAKEN);
    return name;
  }

  get protocol(): "json" | "messagepack" {
    const protocol = this.#connection.protocol;
    if (protocol === null) throw new TypeError(NOT_HANDSHAKEN);
    return protocol.name as "json" | "messagepack";
  }

  get signal(): AbortSignal {
    return this.#signal ??
      this.#services.connectionSignal(this.#connection);
  }

  /**
   * A getter that returns a fresh function, not a method, so that
   * `const { abort } = ctx` or `setTimeout(ctx.abort)` keeps working as
   * with a plain object; the closure exists only when someone asks.
   */
  get abort(): () => void {
    return () => this.#services.abort(this.#connection);
  }

  /**
   * The same context with a streaming call's own `signal`. Shares
   * `clients`, `user` and `items` with this one, as a copy would.
   */
  withSignal(signal: AbortSignal): ConnectionContext {
    const copy = new ConnectionContext(this.#connection, this.#services);
    copy.#user = this.#user;
    copy.#clients = this.clients;
    copy.#signal = signal;
    return copy;
  }
}
