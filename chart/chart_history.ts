/**
 * The recent feed: a fixed-size ring of the updates a server's feed sent,
 * for `StreamChartHistory`. Each server owns one (main.ts makes it beside
 * the chart hub and hands it to the hub and the feed), so a client reads
 * the history of the server it is connected to, and two servers in one
 * process (as in tests) never see each other's updates.
 *
 * @module
 */

import {
  type ChartPoint,
  MAX_HISTORY_REQUEST,
  type WireSeries,
} from "./chart_contract.ts";

/** A bounded ring of feed updates; the oldest is overwritten when full. */
export class ChartHistory {
  readonly #ring: (ChartPoint | undefined)[];
  #next = 0;
  #size = 0;

  /** Keeps the last `capacity` updates (10 minutes at one a second). */
  constructor(capacity: number = MAX_HISTORY_REQUEST) {
    if (!(capacity >= 1)) throw new RangeError("Capacity must be at least 1");
    this.#ring = new Array(capacity);
  }

  /** Updates held now. */
  get size(): number {
    return this.#size;
  }

  /** Records an update sent at `at` (epoch ms). */
  push(series: readonly WireSeries[], at: number = Date.now()): void {
    this.#ring[this.#next] = { at, series };
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size = Math.min(this.#size + 1, this.#ring.length);
  }

  /** The last `count` updates, oldest first (a copy: the ring moves on). */
  last(count: number): ChartPoint[] {
    const n = Math.max(0, Math.min(count, this.#size));
    const out: ChartPoint[] = [];
    const len = this.#ring.length;
    for (let i = n; i > 0; i--) {
      out.push(this.#ring[(this.#next - i + len) % len]!);
    }
    return out;
  }
}
