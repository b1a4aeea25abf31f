/**
 * Every connection this node holds, from negotiate until cleanup, by
 * public id and by secret token. Capped: a full store refuses new
 * connections (503) instead of growing.
 *
 * @module
 */

/** What the store needs of a connection. */
export interface Stored {
  readonly id: string;
  readonly token: string;
}

/** Connections by id and by token. */
export class ConnectionStore<C extends Stored> {
  readonly #byId = new Map<string, C>();
  readonly #byToken = new Map<string, C>();
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
  add(connection: C): boolean {
    if (this.full) return false;
    this.#byId.set(connection.id, connection);
    this.#byToken.set(connection.token, connection);
    return true;
  }

  /** Removes a connection; a no-op when it is gone already. */
  delete(connection: C): void {
    if (this.#byId.get(connection.id) !== connection) return;
    this.#byId.delete(connection.id);
    this.#byToken.delete(connection.token);
  }

  /** The connection a transport request names by its token. */
  byToken(token: string): C | undefined {
    return this.#byToken.get(token);
  }

  /** The connection with this public id. */
  byId(id: string): C | undefined {
    return this.#byId.get(id);
  }

  /** Iterates every connection (the heartbeat's sweep). */
  values(): IterableIterator<C> {
    return this.#byId.values();
  }
}
