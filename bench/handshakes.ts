/**
 * Handshakes of a load generator's clients: who is ready, who is still
 * waiting for the server's answer, and why the others failed (counted by
 * reason, reported with the connect result).
 *
 * @module
 */

import type { WsClient } from "./ws_client.ts";

/** The handshake state of up to `size` clients, indexed by `client.tag`. */
export class Handshakes {
  /** 1 once the client's session is usable. */
  readonly ready: Uint8Array;
  /** Failures by reason. */
  readonly failures: Record<string, number> = {};
  readonly #waiters = new Map<WsClient, (ok: boolean) => void>();

  /** State for tags 0 to size - 1. */
  constructor(size: number) {
    this.ready = new Uint8Array(size);
  }

  /** Resolves once `settle` is called for `client`. */
  wait(client: WsClient): Promise<boolean> {
    return new Promise((resolve) => this.#waiters.set(client, resolve));
  }

  /** True while `client` waits for its answer. */
  waiting(client: WsClient): boolean {
    return this.#waiters.has(client);
  }

  /** Ends `client`'s wait; later calls do nothing. */
  settle(client: WsClient, ok: boolean): void {
    const resolve = this.#waiters.get(client);
    if (!resolve) return;
    this.#waiters.delete(client);
    if (ok) this.ready[client.tag] = 1;
    resolve(ok);
  }

  /** Counts one failure for `reason`. */
  fail(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}
