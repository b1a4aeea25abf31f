/**
 * Starts the targets of the public-contract workload on a free loopback
 * port and stops them by PID. Switchboard is the app itself, started with
 * the command `deno task start` runs (the per-address cap lifted
 * with `MAX_CONNECTIONS_PER_ADDRESS=0`, since every load client shares
 * 127.0.0.1, and `LOG_LEVEL=warn` so 5,000 connection events are not
 * written during the run; the other targets log nothing either).
 *
 * @module
 */

import type { ContractTarget } from "./contract_dialect.ts";
import { profileFlags } from "./target_process.ts";

const repoRoot = new URL("../", import.meta.url).pathname;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;

/** A running target. */
export interface RunningTarget {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The `run … main.ts` command of the `start` task in deno.json. The task
 * goes through the start.ts launcher, which runs that command verbatim
 * (adding KV write access only when `KV_PATH` is set, which the bench does
 * not set); running the command directly makes the measured PID the
 * server itself rather than the launcher.
 */
async function startTask(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${repoRoot}deno.json`));
  const words = (config.tasks.start as string).split(/\s+/);
  if (words[0] !== "deno") throw new Error(`Unexpected task: ${words[0]}`);
  const launcher = words.findIndex((w) => w.endsWith("start.ts"));
  const command = launcher >= 0 ? words.slice(launcher + 1) : words.slice(1);
  if (command[0] !== "run" || !command.includes("main.ts")) {
    throw new Error(`Unexpected start task: ${config.tasks.start}`);
  }
  return command;
}

async function commandFor(
  target: ContractTarget,
  socketioBundle: string,
): Promise<string[]> {
  const deno = Deno.execPath();
  switch (target) {
    case "switchboard": {
      // BENCH_PROFILE_DIR adds V8 CPU profiles to the start command.
      const [run, ...rest] = await startTask();
      return [deno, run, ...profileFlags(), ...rest];
    }
    case "raw":
      return [
        deno,
        "run",
        ...profileFlags(),
        "--allow-net=127.0.0.1",
        "--allow-env=PORT",
        `${repoRoot}bench/contract_raw_server.ts`,
      ];
    case "socketio":
      return ["node", socketioBundle];
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForListening(port: number, child: Deno.ChildProcess) {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline && !exited) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(exited ? "Target exited at start" : "Target did not start");
}

/** Starts `target`; resolves once it accepts connections. */
export async function startContractTarget(
  target: ContractTarget,
  socketioBundle: string,
): Promise<RunningTarget> {
  const port = freePort();
  const [cmd, ...args] = await commandFor(target, socketioBundle);
  const child = new Deno.Command(cmd, {
    args,
    cwd: repoRoot,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      MAX_CONNECTIONS_PER_ADDRESS: "0",
      LOG_LEVEL: "warn",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      return; // already exited
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited in the meantime
      }
    }, STOP_GRACE_MS);
    await child.status;
    clearTimeout(timer);
  };
  try {
    await waitForListening(port, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, port, stop };
}
