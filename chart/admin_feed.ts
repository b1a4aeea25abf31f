/**
 * The admin page's data: once a second, the chart hub's counters become a
 * sample (differences of monotonic counters, so no connection is visited),
 * kept for 5 minutes, and a snapshot goes to every admin connection of
 * this process. The largest groups walk the groups known to presence, and
 * only when an admin is watching.
 *
 * @module
 */

import type { Clients, HubServer } from "../hub/mod.ts";
import {
  ADMIN_HISTORY_SECONDS,
  ADMIN_TOP_GROUPS,
  type AdminSample,
  type AdminSnapshot,
} from "./admin_contract.ts";

/** Samples of the last 5 minutes, and the timer producing them. */
export class AdminFeed {
  readonly #samples: AdminSample[] = [];
  readonly #hub: HubServer;
  #last: { received: number; sent: number; slow: number; at: number };

  /** Samples `hub`'s counters. */
  constructor(hub: HubServer) {
    this.#hub = hub;
    const s = hub.admin.stats();
    this.#last = {
      received: s.messagesReceived,
      sent: s.messagesSent,
      slow: s.slowConsumerCloses,
      at: Date.now(),
    };
  }

  /** Oldest first; at most `ADMIN_HISTORY_SECONDS`. */
  history(): readonly AdminSample[] {
    return [...this.#samples];
  }

  /**
   * Sends a snapshot to `admins` every `intervalMs` while `watching()`;
   * returns the stop function.
   */
  start(
    admins: Clients,
    watching: () => boolean,
    intervalMs = 1_000,
  ): () => void {
    const timer = setInterval(() => {
      const sample = this.#sample();
      if (watching()) admins.all.send("adminstats", this.#snapshot(sample));
    }, intervalMs);
    return () => clearInterval(timer);
  }

  #sample(): AdminSample {
    const s = this.#hub.admin.stats();
    const at = Date.now();
    const seconds = Math.max((at - this.#last.at) / 1_000, 0.001);
    const rate = (now: number, before: number) =>
      Math.round((now - before) / seconds);
    const sample = {
      at,
      messagesIn: rate(s.messagesReceived, this.#last.received),
      messagesOut: rate(s.messagesSent, this.#last.sent),
      slowConsumerCloses: s.slowConsumerCloses - this.#last.slow,
    };
    this.#last = {
      received: s.messagesReceived,
      sent: s.messagesSent,
      slow: s.slowConsumerCloses,
      at,
    };
    this.#samples.push(sample);
    if (this.#samples.length > ADMIN_HISTORY_SECONDS) this.#samples.shift();
    return sample;
  }

  #snapshot(sample: AdminSample): AdminSnapshot {
    const s = this.#hub.admin.stats();
    return {
      node: s.node,
      mix: s.mix,
      nodes: s.nodes,
      groups: this.#hub.admin.largestGroups(ADMIN_TOP_GROUPS),
      backplane: s.backplane,
      sample,
    };
  }
}
