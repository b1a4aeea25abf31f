/**
 * Collects one event of a SignalR client connection and lets a test wait
 * for a given value, so multi-process tests await arrivals instead of
 * sleeping.
 *
 * @module
 */

import type { signalR } from "./signalr_client.ts";

/** Texts received on one event, in order. */
export class Inbox {
  readonly texts: string[] = [];
  readonly #waiters = new Map<string, Array<() => void>>();

  /** Listens to `event` on `connection`. */
  constructor(connection: signalR.HubConnection, event: string) {
    connection.on(event, (text: string) => {
      this.texts.push(text);
      const waiting = this.#waiters.get(text);
      this.#waiters.delete(text);
      for (const resolve of waiting ?? []) resolve();
    });
  }

  /**
   * Resolves once `text` has arrived (at once if it already has); rejects
   * after `timeoutMs` so a lost message fails the test instead of hanging.
   */
  received(text: string, timeoutMs = 15_000): Promise<void> {
    if (this.texts.includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`'${text}' did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      const list = this.#waiters.get(text) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#waiters.set(text, list);
    });
  }

  /** How many times `text` arrived. */
  count(text: string): number {
    return this.texts.filter((t) => t === text).length;
  }
}
