/**
 * The headline workload of `deno task bench`: raw Deno, Socket.IO 4.8 and
 * the app as `deno task start` runs it, driven only through the public
 * contract (bench/contract_worker.ts), `repeats` times interleaved, each
 * target a fresh process per repeat.
 *
 * @module
 */

import type { ContractTarget } from "./contract_dialect.ts";
import { startContractTarget } from "./contract_targets.ts";
import type {
  ContractConfig,
  ContractPhase,
  ContractResult,
} from "./contract_worker.ts";
import { waitForQuiet } from "../tests/helpers/proc_stats.ts";

/** Knobs of the headline workload. */
export interface ContractOptions {
  n: number;
  repeats: number;
  targets: ContractTarget[];
  socketioBundle: string;
  quietWaitMs: number;
  /** Workloads after connect (default both; one alone to iterate faster). */
  phases: ContractPhase[];
}

/** One repeat's result, or why it failed. */
export type ContractOutcome = ContractResult | {
  target: ContractTarget;
  n: number;
  error: string;
};

const QUIET_PERCENT = 25;
/** A run of one target that takes longer than this is broken. */
const RUN_TIMEOUT_MS = 240_000;

/** Runs every repeat of every target, interleaved. */
export async function runContractSuite(
  options: ContractOptions,
): Promise<ContractOutcome[]> {
  const out: ContractOutcome[] = [];
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    for (const target of options.targets) {
      console.error(`[bench] contract repeat ${repeat} ${target}`);
      try {
        out.push(await runOnce(target, options));
      } catch (error) {
        out.push({ target, n: options.n, error: (error as Error).message });
      }
    }
  }
  return out;
}

async function runOnce(
  target: ContractTarget,
  options: ContractOptions,
): Promise<ContractResult> {
  await waitForQuiet(QUIET_PERCENT, options.quietWaitMs);
  const server = await startContractTarget(target, options.socketioBundle);
  try {
    // Let the target finish starting up before its baseline RSS is read.
    await new Promise((r) => setTimeout(r, 1000));
    const config: ContractConfig = {
      target,
      port: server.port,
      pid: server.pid,
      n: options.n,
      concurrency: 100,
      floodCount: 60,
      pacedHz: 2,
      pacedMs: 4000,
      callers: 100,
      rrMs: 3000,
      phases: options.phases,
    };
    const worker = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        // Deno asks for all permissions to read another process's /proc.
        "--allow-all",
        new URL("./contract_worker.ts", import.meta.url).pathname,
        JSON.stringify(config),
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => {
      try {
        worker.kill("SIGKILL");
      } catch {
        // exited in the meantime
      }
    }, RUN_TIMEOUT_MS);
    const { stdout, stderr, success } = await worker.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(stdout).trim();
    if (!success || text === "") {
      const why = new TextDecoder().decode(stderr).trim().split("\n")[0];
      throw new Error(`Load generator failed: ${why || "timeout"}`);
    }
    return JSON.parse(text.split("\n").at(-1)!) as ContractResult;
  } finally {
    await server.stop();
  }
}
