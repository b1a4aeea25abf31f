/**
 * Every connection this node holds, from negotiate until cleanup, by
 * public id and by secret token. Capped: a full store refuses new
 * connections (503) instead of growing.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";

/** Connections by id and by token. */
export class ConnectionStore {
  readonly #byId = new Map<string, HubConnection>();
  readonly #byToken = new Map<string, HubConnection>();
  readonly #cap: number;

  /** A store that holds at most `cap` connections. */
  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Number of connections held (any state). */
  get size(): number {
    return this.#byId.size;
  }

  /** True when one more connection would pass the cap. */
  get full(): boolean {
    return this.#byId.size >= this.#cap;
  }

  /** Adds a connection; false when full. */
  add(connection: HubConnection): boolean {
    if (this.full) return false;
    this.#byId.set(connection.id, connection);
    this.#byToken.set(connection.token, connection);
    return true;
  }

  /** Removes a connection; a no-op when it is gone already. */
  delete(connection: HubConnection): void {
    if (this.#byId.get(connection.id) !== connection) return;
    this.#byId.delete(connection.id);
    this.#byToken.delete(connection.token);
  }

  /** The connection a transport request names by its token. */
  byToken(token: string): HubConnection | undefined {
    return this.#byToken.get(token);
  }

  /** The connection with this public id. */
  byId(id: string): HubConnection | undefined {
    return this.#byId.get(id);
  }

  /** Iterates every connection (the heartbeat's sweep). */
  values(): IterableIterator<HubConnection> {
    return this.#byId.values();
  }
}
