/**
 * The stress runner's seeded generator (mulberry32): the plan of a run is
 * drawn from one seed, printed, so a failing run can be replayed.
 *
 * @module
 */

/** A seeded source of numbers. */
export class SeededRandom {
  #state: number;

  /** Starts from `seed` (any 32-bit integer). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items`, weighted by the numbers beside them. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let pick = this.next() * total;
    for (const [item, w] of items) {
      pick -= w;
      if (pick < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

/** A fresh seed when none was given. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
