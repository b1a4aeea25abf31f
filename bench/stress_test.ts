/**
 * A short seeded stress run inside `deno task test`: good clients, slow
 * readers, silent clients and 300 connect/disconnect cycles of honest and
 * abusive clients against one hub. The seed is printed; replay a failure
 * with `SEED=<seed> deno test -A bench/stress_test.ts` or
 * `deno task stress --quick --seed=<seed>`. Memory is checked only by
 * `deno task stress` (it needs --v8-flags=--expose-gc).
 */

import { assertEquals } from "../tests/helpers/assert.ts";
import { quickConfig, runStress } from "./stress_scenario.ts";
import { freshSeed } from "../tests/helpers/seeded_random.ts";

Deno.test("stress: invariants hold through churn, abuse and slow readers", async () => {
  const seed = Number(Deno.env.get("SEED")) || freshSeed();
  console.log(`stress seed=${seed}`);
  const report = await runStress({ ...quickConfig, seed });
  assertEquals(report.failures, [], `seed=${seed}`);
  assertEquals(report.figures.cycles, quickConfig.cycles);
  assertEquals(report.figures.slowConsumerCloses, quickConfig.slowReaders);
});
