/**
 * `deno task stress`: the seeded stress run. Prints the seed first, then
 * the figures and any broken invariant; exits 1 on a failure.
 *
 * ```sh
 * deno task stress                       # the full run, fresh seed
 * deno task stress --seed=1234           # replay a run
 * deno task stress --quick --cycles=500  # smaller, any knob overridable
 * ```
 *
 * @module
 */

import {
  fullConfig,
  quickConfig,
  runStress,
  type StressConfig,
} from "./stress_scenario.ts";
import { freshSeed } from "../tests/helpers/seeded_random.ts";

function parseArgs(args: string[]): StressConfig {
  const base = args.includes("--quick") ? quickConfig : fullConfig;
  const config: StressConfig = { ...base, seed: freshSeed() };
  for (const arg of args) {
    const match = /^--([a-zA-Z]+)=(\d+)$/.exec(arg);
    if (!match) continue;
    if (!(match[1] in config)) throw new TypeError(`Unknown option ${arg}`);
    (config as unknown as Record<string, number>)[match[1]] = Number(match[2]);
  }
  return config;
}

if (import.meta.main) {
  const config = parseArgs(Deno.args);
  console.log(
    `stress seed=${config.seed} (replay: deno task stress --seed=${config.seed})`,
  );
  console.log(JSON.stringify(config));
  const report = await runStress(config);
  for (const [key, value] of Object.entries(report.figures)) {
    console.log(`  ${key.padEnd(24)} ${value}`);
  }
  if (report.figures.heapBeforeMB === "no gc") {
    console.log("  (memory not checked: run with --v8-flags=--expose-gc)");
  }
  for (const failure of report.failures) console.log(`FAIL ${failure}`);
  console.log(`${report.ok ? "PASS" : "FAIL"} seed=${report.seed}`);
  Deno.exit(report.ok ? 0 : 1);
}
