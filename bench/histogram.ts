/**
 * A fixed-size latency histogram in microseconds: 10 µs buckets below
 * 100 ms, 1 ms buckets up to 30 s, and one overflow bucket. It never grows,
 * so recording 10,000 deliveries per broadcast costs an increment, and
 * workers ship it to the runner as sparse pairs.
 *
 * @module
 */

const FINE_LIMIT_US = 100_000;
const FINE_STEP_US = 10;
const COARSE_STEP_US = 1_000;
const COARSE_LIMIT_US = 30_000_000;
const FINE_BUCKETS = FINE_LIMIT_US / FINE_STEP_US;
const BUCKETS = FINE_BUCKETS +
  (COARSE_LIMIT_US - FINE_LIMIT_US) / COARSE_STEP_US + 1;

/** Latency counts; values past 30 s land in one overflow bucket. */
export class Histogram {
  #counts = new Uint32Array(BUCKETS);
  #total = 0;

  /** Number of recorded values. */
  get count(): number {
    return this.#total;
  }

  /** Records one latency in µs (negative values, from clock skew, count as 0). */
  record(micros: number): void {
    const v = micros > 0 ? micros : 0;
    const index = v < FINE_LIMIT_US ? (v / FINE_STEP_US) | 0 : Math.min(
      BUCKETS - 1,
      FINE_BUCKETS + ((v - FINE_LIMIT_US) / COARSE_STEP_US) | 0,
    );
    this.#counts[index]++;
    this.#total++;
  }

  /** Forgets everything recorded so far. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }

  /** The non-empty buckets as [index, count] pairs, for shipping over a pipe. */
  toSparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      if (this.#counts[i] > 0) out.push([i, this.#counts[i]]);
    }
    return out;
  }

  /** Adds pairs produced by `toSparse` (from another worker). */
  addSparse(pairs: readonly (readonly [number, number])[]): void {
    for (const [index, count] of pairs) {
      if (index < 0 || index >= BUCKETS) throw new RangeError("Bad bucket");
      this.#counts[index] += count;
      this.#total += count;
    }
  }

  /** The value in ms at quantile q (0..1), as the upper edge of its bucket; NaN if empty. */
  quantileMs(q: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return upperEdgeUs(i) / 1000;
    }
    return upperEdgeUs(BUCKETS - 1) / 1000;
  }
}

function upperEdgeUs(index: number): number {
  return index < FINE_BUCKETS
    ? (index + 1) * FINE_STEP_US
    : FINE_LIMIT_US + (index - FINE_BUCKETS + 1) * COARSE_STEP_US;
}
