/**
 * The seeded generator of bench/stress_random.ts (mulberry32) as a plain
 * function, so a failing random test can be replayed from the seed it
 * prints.
 *
 * @module
 */

import { freshSeed, SeededRandom } from "../../bench/stress_random.ts";

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
