/**
 * A small seeded generator (mulberry32) so a failing random test can be
 * replayed from the seed it prints.
 *
 * @module
 */

/** Returns a function giving floats in [0, 1) from `seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `SEED` or a fresh one; print it with the test name. */
export function testSeed(): number {
  const fromEnv = Number(Deno.env.get("SEED"));
  return Number.isFinite(fromEnv) && fromEnv > 0
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31);
}
