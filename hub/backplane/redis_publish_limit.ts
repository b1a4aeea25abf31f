/**
 * The publish side both Redis backplanes share: a cap on publishes
 * awaiting Redis, and the count of what was dropped instead of queued.
 *
 * @module
 */

import { type BackplaneMessage, type Scope, scopesOf } from "./backplane.ts";
import { encodeEnvelope } from "./redis_channels.ts";

/** Publishes in flight and dropped, for one backplane. */
export class PublishLimit {
  readonly #max: number;
  #inFlight = 0;
  #dropped = 0;

  /** At most `max` publishes may await Redis at once. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Messages not delivered: dropped while down, over the cap, or failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * True if `count` sends may go now; otherwise (down, or over the cap)
   * counts them dropped and returns false.
   */
  admit(count: number, up: boolean): boolean {
    if (up && this.#inFlight + count <= this.#max) return true;
    this.#dropped += count;
    return false;
  }

  /** Runs one admitted send; a failure counts as dropped, never throws. */
  async send(work: () => Promise<unknown>): Promise<void> {
    this.#inFlight++;
    try {
      await work();
    } catch {
      // The connection died with the message in flight: it may or may not
      // have reached Redis; counting it as dropped is the honest bound.
      this.#dropped++;
    } finally {
      this.#inFlight--;
    }
  }

  /**
   * Publishes `message` from node `from` to each of its scopes through
   * `sendTo`, encoded once; while down (`from` null or `up` false) or over
   * the cap it is dropped and counted instead.
   */
  async publish(
    message: BackplaneMessage,
    from: string | null,
    up: boolean,
    sendTo: (scope: Scope, payload: string) => Promise<unknown>,
  ): Promise<void> {
    const scopes = scopesOf(message);
    if (!this.admit(scopes.length, up && from !== null) || from === null) {
      return;
    }
    const payload = encodeEnvelope(from, message);
    await Promise.all(
      scopes.map((scope) => this.send(() => sendTo(scope, payload))),
    );
  }
}
