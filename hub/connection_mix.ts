/**
 * Open connections by transport and protocol ("WebSockets/json" → 12),
 * kept on register and unregister so an admin view reads it without
 * walking the connections. At most 3 transports × the protocols offered.
 *
 * @module
 */

import type { RoutedConnection } from "./routed_connection.ts";

/** Connection counts by `transport/protocol`. */
export class ConnectionMix {
  readonly #counts = new Map<string, number>();

  /** Counts a connection that completed its handshake. */
  add(connection: RoutedConnection): void {
    const key = keyOf(connection);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Uncounts it; the key cannot change in between (both are fixed). */
  remove(connection: RoutedConnection): void {
    const key = keyOf(connection);
    const n = (this.#counts.get(key) ?? 0) - 1;
    if (n > 0) this.#counts.set(key, n);
    else this.#counts.delete(key);
  }

  /** A copy, for display. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}

function keyOf(connection: RoutedConnection): string {
  const transport = connection.transportName ?? "unknown";
  return `${transport}/${connection.protocol?.name ?? "unknown"}`;
}
