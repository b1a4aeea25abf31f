/**
 * `deno task bench`: raw Deno WebSockets, Socket.IO 4.8 on Node and
 * Switchboard side by side in one run, on loopback, each target a fresh
 * child process per N, every child stopped by PID. Writes
 * bench/results/<date>.md, latest.md, latest.json and latency.svg.
 *
 * Two suites. `contract` (the headline, contract_run.ts): the app as
 * `deno task start` runs it, driven only through its public contract at
 * --contract-n (5,000), median of --repeats (3). `classic`: the older
 * workloads below, as secondary tables.
 *
 * Flags: --suites=contract,classic, --contract-n=5000, --repeats=3,
 * --contract-phases=flood,rr,
 * --quick (N = 1,000, one round or repeat), --n=1000,5000,10000, --rounds=2,
 * --targets=raw,socketio,switchboard, --phases=latency,rr,flood,
 * --workers=1, --warmup-ms=500, --measure-ms=3000, --latency-ms=3000,
 * --rate=2, --window=4, --concurrency=200, --budget-s=285,
 * --quiet-wait-ms=3000, --out=bench/results
 *
 * Every (N, target) runs `rounds` times, interleaved, and each figure is
 * the best round's: other work on the shared cores only ever makes a
 * figure worse. A scenario that would end after `budget-s` (judged by the
 * longest one so far at the same N) is skipped, so the run stays under 5
 * minutes.
 *
 * @module
 */

import { renderMarkdown, type RunInfo } from "./report_markdown.ts";
import { renderLatencySvg } from "./report_svg.ts";
import {
  runScenario,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.ts";
import type { TargetName } from "./target_process.ts";
import type { Phase } from "./load_worker.ts";
import { bestOf } from "./best_of.ts";
import { type ContractOutcome, runContractSuite } from "./contract_run.ts";
import { renderContract } from "./contract_report.ts";
import type { ContractTarget } from "./contract_dialect.ts";
import type { ContractPhase } from "./contract_worker.ts";

/** Targets of the default run; `minimal` is a reference only run on request. */
const DEFAULT_TARGETS: TargetName[] = ["raw", "socketio", "switchboard"];
const ALL_TARGETS: TargetName[] = ["raw", "minimal", "socketio", "switchboard"];
const ALL_PHASES: Phase[] = ["latency", "rr", "flood"];
const repoRoot = new URL("../", import.meta.url).pathname;

type Suite = "contract" | "classic";

interface RunArgs extends Omit<ScenarioOptions, "socketioBundle"> {
  suites: Suite[];
  contractN: number;
  contractPhases: ContractPhase[];
  repeats: number;
  ns: number[];
  targets: TargetName[];
  rounds: number;
  budgetSeconds: number;
  outDir: string;
}

/** Parses `--name=value` flags; unknown flags are an error. */
export function parseArgs(args: string[]): RunArgs {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = arg.match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!match) throw new TypeError(`Unknown argument: ${arg}`);
    flags.set(match[1], match[2] ?? "true");
  }
  const num = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`Bad --${name}`);
    }
    flags.delete(name);
    return value;
  };
  const quick = flags.delete("quick");
  const ns = (flags.get("n") ?? (quick ? "1000" : "1000,5000,10000")).split(",")
    .map(Number);
  const targets = (flags.get("targets") ?? DEFAULT_TARGETS.join(",")).split(
    ",",
  ) as TargetName[];
  const outDir = flags.get("out") ?? `${repoRoot}bench/results`;
  const phases = (flags.get("phases") ?? ALL_PHASES.join(",")).split(
    ",",
  ) as Phase[];
  const suites = (flags.get("suites") ?? "contract,classic").split(
    ",",
  ) as Suite[];
  const contractPhases = (flags.get("contract-phases") ?? "flood,rr").split(
    ",",
  ) as ContractPhase[];
  for (
    const name of ["n", "targets", "out", "phases", "suites", "contract-phases"]
  ) {
    flags.delete(name);
  }
  const parsed: RunArgs = {
    suites,
    contractN: num("contract-n", quick ? 1000 : 5000),
    contractPhases,
    repeats: num("repeats", quick ? 1 : 3),
    ns,
    targets,
    outDir,
    phases,
    rounds: num("rounds", quick ? 1 : 2),
    workers: num("workers", 1),
    connectConcurrency: num("concurrency", 200),
    warmupMs: num("warmup-ms", 500),
    measureMs: num("measure-ms", 3000),
    latencyMs: num("latency-ms", 3000),
    rateHz: num("rate", 2),
    floodWindow: num("window", 4),
    budgetSeconds: num("budget-s", 270),
    quietWaitMs: num("quiet-wait-ms", 3000),
  };
  if (flags.size > 0) {
    throw new TypeError(`Unknown flag: --${[...flags.keys()][0]}`);
  }
  if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) {
    throw new RangeError("--n takes integers from 1 to 20000");
  }
  if (suites.some((s) => s !== "contract" && s !== "classic")) {
    throw new RangeError("Bad --suites");
  }
  if (contractPhases.some((p) => p !== "flood" && p !== "rr")) {
    throw new RangeError("Bad --contract-phases");
  }
  if (targets.some((t) => !ALL_TARGETS.includes(t))) {
    throw new RangeError("Bad --targets");
  }
  return parsed;
}

async function bundleSocketIo(dir: string, name: string): Promise<string> {
  const out = `${dir}/${name}`;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform",
      "node",
      "-o",
      out,
      `bench/${name}`,
    ],
    cwd: repoRoot,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr)}`);
  }
  return out;
}

async function environment(args: RunArgs): Promise<RunInfo> {
  const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(
    /model name\s*:\s*(.*)/,
  )?.[1];
  const node = await new Deno.Command("node", {
    args: ["--version"],
    stdout: "piped",
  }).output()
    .then((o) => new TextDecoder().decode(o.stdout).trim()).catch(() =>
      "missing"
    );
  const config = JSON.parse(await Deno.readTextFile(`${repoRoot}deno.json`));
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    environment: [
      `Machine: ${
        cpu ?? "unknown CPU"
      }, ${navigator.hardwareConcurrency} cores shared by the target and the load generator, loopback only`,
      `Deno ${Deno.version.deno} (raw, Switchboard, load generator), Node ${node} with ${
        config.imports["socket.io"]
      } (websocket transport only)`,
    ],
    settings: [
      `Load generator: ${args.workers} process(es), raw-TCP WebSocket clients (bench/ws_client.ts); each target is a fresh process per N and round`,
      `Each figure is the best of ${args.rounds} interleaved round(s) (other work on the shared cores only makes figures worse)`,
      `Fan-out: flood with at most ${args.floodWindow} broadcasts in flight (warm-up ${args.warmupMs} ms, measured ${args.measureMs} ms); latency at ${args.rateHz} broadcasts/s over ${args.latencyMs} ms, every delivery timed`,
      `Round trips: every connection calls Echo in a closed loop with one call in flight (measured ${args.measureMs} ms)`,
      "Memory: target VmRSS after GC with N idle clients minus VmRSS before any client, divided by N",
    ],
  };
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args);
  const tmp = await Deno.makeTempDir({ prefix: "switchboard_bench_" });
  let contract: ContractOutcome[] = [];
  let results: ScenarioResult[] = [];
  try {
    if (args.suites.includes("contract")) {
      contract = await runContractSuite({
        n: args.contractN,
        repeats: args.repeats,
        targets: args.targets.filter((t) =>
          t !== "minimal"
        ) as ContractTarget[],
        socketioBundle: await bundleSocketIo(
          tmp,
          "contract_socketio_server.js",
        ),
        quietWaitMs: args.quietWaitMs,
        phases: args.contractPhases,
      });
    }
    if (args.suites.includes("classic")) {
      results = await runClassic(
        args,
        await bundleSocketIo(tmp, "socketio_server.js"),
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  await writeReports(contract, bestOf(results), args);
}

/** The older workloads, best of `rounds`, within the time budget. */
async function runClassic(
  args: RunArgs,
  socketioBundle: string,
): Promise<ScenarioResult[]> {
  const started = performance.now();
  const results: ScenarioResult[] = [];
  // Longest scenario seen per N: a scenario that would end past the
  // budget is not started, so the run ends in time.
  const longest = new Map<number, number>();
  for (let round = 1; round <= args.rounds; round++) {
    for (const n of args.ns) {
      for (const target of args.targets) {
        const elapsed = (performance.now() - started) / 1000;
        const over = elapsed + (longest.get(n) ?? 0) > args.budgetSeconds;
        if (over && round > 1) continue;
        if (over) {
          results.push(
            failed(
              target,
              n,
              `skipped: time budget of ${args.budgetSeconds} s spent`,
            ),
          );
          continue;
        }
        console.error(
          `[bench] round ${round} ${target} N=${n} (${elapsed.toFixed(0)} s)`,
        );
        try {
          results.push(
            await runScenario(target, n, { ...args, socketioBundle }),
          );
        } catch (error) {
          results.push(failed(target, n, (error as Error).message));
        }
        const took = (performance.now() - started) / 1000 - elapsed;
        longest.set(n, Math.max(longest.get(n) ?? 0, took));
      }
    }
  }
  return results;
}

function failed(target: TargetName, n: number, error: string): ScenarioResult {
  const empty = { perSecond: NaN, p50Ms: NaN, p99Ms: NaN, samples: 0, cpu: [] };
  return {
    target,
    n,
    connected: 0,
    connectsPerSecond: NaN,
    rssIdleBytesPerConn: NaN,
    heapIdleBytesPerConn: NaN,
    latency: { ...empty, expected: 0 },
    roundTrips: empty,
    flood: empty,
    closedDuringRun: 0,
    busyBeforePercent: NaN,
    error,
  };
}

async function writeReports(
  contract: ContractOutcome[],
  results: ScenarioResult[],
  args: RunArgs,
): Promise<void> {
  const info = await environment(args);
  const headline = contract.length > 0
    ? renderContract(contract, args.repeats)
    : [];
  const classic = results.length > 0
    ? renderMarkdown(results, info).split("\n")
    : [
      `# Benchmark results, ${info.date}`,
      "",
      ...info.environment.map((line) => `- ${line}`),
      "",
    ];
  // The headline goes right under the title and environment lines.
  const at = classic.findIndex((line, i) => i > 0 && line.startsWith("## "));
  const markdown = (at < 0 ? [...classic, ...headline] : [
    ...classic.slice(0, at),
    ...headline,
    "## Secondary workloads",
    "",
    ...classic.slice(at),
  ]).join("\n");
  await Deno.mkdir(args.outDir, { recursive: true });
  const day = new Date().toISOString().slice(0, 10);
  await Deno.writeTextFile(`${args.outDir}/${day}.md`, markdown);
  await Deno.writeTextFile(`${args.outDir}/latest.md`, markdown);
  await Deno.writeTextFile(
    `${args.outDir}/latest.json`,
    JSON.stringify({ contract, classic: results }, null, 1) + "\n",
  );
  if (results.length > 0) {
    await Deno.writeTextFile(
      `${args.outDir}/latency.svg`,
      renderLatencySvg(results, args.rateHz),
    );
  }
  console.log(markdown);
}

if (import.meta.main) await main();
