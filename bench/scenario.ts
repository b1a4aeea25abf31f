/**
 * One target at one N: start it, connect N clients, read memory, then run
 * the fixed-rate fan-out latency, the request/response and the fan-out
 * flood workloads in that order (the flood last, because whatever it leaves
 * queued must not disturb the others), and stop everything.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import {
  CpuMeter,
  rssBytes,
  waitForQuiet,
} from "../tests/helpers/proc_stats.ts";
import { type TargetName, TargetProcess } from "./target_process.ts";
import type { DialectName } from "./wire_dialect.ts";
import { type WorkerEvent, WorkerPool } from "./worker_pool.ts";
import type { Phase } from "./load_worker.ts";

/** Knobs of a run; `run.ts` fills them from the command line. */
export interface ScenarioOptions {
  workers: number;
  connectConcurrency: number;
  warmupMs: number;
  measureMs: number;
  latencyMs: number;
  rateHz: number;
  floodWindow: number;
  socketioBundle: string;
  /** Workloads to run (all three by default; fewer when profiling one). */
  phases: Phase[];
  /** Longest wait for a quiet machine before each target starts. */
  quietWaitMs: number;
}

/** Figures of one workload. */
export interface PhaseResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
  /** CPU % of one core: target, then each load worker. */
  cpu: number[];
}

/** Everything measured for one target at one N. */
export interface ScenarioResult {
  target: TargetName;
  n: number;
  connected: number;
  connectsPerSecond: number;
  rssIdleBytesPerConn: number;
  /** JS heap growth per idle connection (after GC): the runtime's share of RSS aside. */
  heapIdleBytesPerConn: number;
  latency: PhaseResult & { expected: number };
  roundTrips: PhaseResult;
  flood: PhaseResult;
  closedDuringRun: number;
  /** Busy CPU of the machine just before the target started (% of one core). */
  busyBeforePercent: number;
  error?: string;
}

const DIALECT: Record<TargetName, DialectName> = {
  raw: "raw",
  minimal: "signalr",
  socketio: "socketio",
  switchboard: "signalr",
};
/** Busy CPU (% of one core) under which the machine counts as quiet. */
const QUIET_PERCENT = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the chosen workloads against a fresh `target` process with `n` clients. */
export async function runScenario(
  target: TargetName,
  n: number,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const busyBeforePercent = await waitForQuiet(
    QUIET_PERCENT,
    options.quietWaitMs,
  );
  const server = await TargetProcess.start(target, options.socketioBundle);
  let pool: WorkerPool | null = null;
  try {
    const heapBefore = await server.gc();
    await sleep(300);
    const rssBefore = rssBytes(server.pid);
    pool = await WorkerPool.spawn(options.workers);
    const connect = await connectAll(pool, server, n, options);
    await sleep(1000);
    const heapAfter = await server.gc();
    await sleep(300);
    const perConn = (bytes: number) => bytes / Math.max(1, connect.ok);
    const phase = async (name: Phase, ms: number) =>
      options.phases.includes(name)
        ? await runPhase(pool!, server, name, connect.ok, {
          ...options,
          measureMs: ms,
        })
        : skipped();
    const rssIdle = perConn(rssBytes(server.pid) - rssBefore);
    const latency = await phase("latency", options.latencyMs);
    const roundTrips = await phase("rr", options.measureMs);
    await sleep(300);
    const flood = await phase("flood", options.measureMs);
    const broadcasts = Math.floor((options.latencyMs / 1000) * options.rateHz);
    return {
      target,
      n,
      connected: connect.ok,
      connectsPerSecond: connect.ok / (connect.ms / 1000),
      rssIdleBytesPerConn: rssIdle,
      heapIdleBytesPerConn: perConn(heapAfter - heapBefore),
      latency: { ...latency, expected: broadcasts * connect.ok },
      roundTrips,
      flood,
      closedDuringRun: Math.max(
        latency.closed,
        roundTrips.closed,
        flood.closed,
      ),
      busyBeforePercent,
    };
  } finally {
    await pool?.stop();
    await server.stop();
  }
}

function skipped(): PhaseResult & { closed: number } {
  return {
    perSecond: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    samples: 0,
    cpu: [],
    closed: 0,
  };
}

async function connectAll(
  pool: WorkerPool,
  server: TargetProcess,
  n: number,
  options: ScenarioOptions,
): Promise<{ ok: number; ms: number }> {
  const w = pool.workers.length;
  await pool.sendEach((i) => ({
    op: "connect",
    host: "127.0.0.1",
    port: server.port,
    dialect: DIALECT[server.name],
    count: Math.floor(n / w) + (i < n % w ? 1 : 0),
    concurrency: Math.ceil(options.connectConcurrency / w),
    driver: i === 0,
    timeoutMs: 10_000,
  }));
  const events = await pool.collect("connected", 120_000);
  if (!events[0].driver) {
    throw new Error(`Driver did not connect\n${server.tail}`);
  }
  const ok = events.reduce((sum, e) => sum + (e.ok as number), 0) - 1;
  const failures = events.map((e) => JSON.stringify(e.failures)).filter((f) =>
    f !== "{}"
  );
  if (failures.length > 0) {
    console.error(
      `[bench] ${server.name} connect failures: ${failures.join(" ")}`,
    );
  }
  const ms = Math.max(...events.map((e) => e.ms as number));
  return { ok, ms };
}

async function runPhase(
  pool: WorkerPool,
  server: TargetProcess,
  phase: Phase,
  receivers: number,
  options: ScenarioOptions,
): Promise<PhaseResult & { closed: number }> {
  await pool.sendEach(() => ({
    op: "start",
    phase,
    rateHz: options.rateHz,
    window: options.floodWindow,
    receivers,
  }));
  await sleep(options.warmupMs);
  const cpu = new CpuMeter([server.pid, ...pool.pids]);
  await pool.sendEach(() => ({ op: "mark" }));
  await sleep(options.measureMs);
  await pool.sendEach(() => ({ op: "stop" }));
  const usage = cpu.read();
  const results = await pool.collect("result", 30_000);
  return summarize(results, usage);
}

function summarize(
  results: WorkerEvent[],
  cpu: number[],
): PhaseResult & { closed: number } {
  const hist = new Histogram();
  let delivered = 0;
  let closed = 0;
  for (const r of results) {
    hist.addSparse(r.hist as [number, number][]);
    delivered += r.delivered as number;
    closed += r.closed as number;
  }
  const seconds = Math.max(...results.map((r) => r.seconds as number));
  return {
    perSecond: delivered / seconds,
    p50Ms: hist.quantileMs(0.5),
    p99Ms: hist.quantileMs(0.99),
    samples: hist.count,
    cpu,
    closed,
  };
}
