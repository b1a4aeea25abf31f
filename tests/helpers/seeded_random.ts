/**
 * One seeded generator (mulberry32) for everything random that must be
 * replayable: the stress runner draws a run's plan from one printed seed,
 * and the fuzz and property tests print theirs, so a failure replays with
 * `SEED=<seed>`.
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

/** Returns a function giving floats in [0, 1) from `seed`. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** The seed from `SEED` or a fresh one; print it with the test name. */
export function testSeed(): number {
  const fromEnv = Number(Deno.env.get("SEED"));
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : freshSeed();
}
