/**
 * Broadcast throughput: one hub process (in-memory backplane) against two
 * processes sharing a real redis-server and two processes sharing a real
 * 3-master Redis Cluster (sharded pub/sub), same clients, same messages.
 *
 * Each run connects `clients` official SignalR clients (split evenly over
 * the processes), has one more client invoke `SendAll` `messages` times
 * (pipelined in windows), and times until every client has every message.
 * Deliveries per second = clients × messages / elapsed. Small and bounded:
 * defaults give 200,000 deliveries per run; every run has a deadline.
 *
 * Run: `deno task bench:backplane [--clients 200] [--messages 1000]
 * [--rounds 3]`; rounds are interleaved and each setup reports its best. Clients stay under the
 * hub's 1,000 connections per address (they all come from 127.0.0.1).
 *
 * @module
 */

import { AppProcess } from "../tests/helpers/app_process.ts";
import { RedisServer } from "../tests/helpers/redis_server.ts";
import { RedisCluster } from "../tests/helpers/redis_cluster.ts";
import { connect, signalR } from "../tests/helpers/signalr_client.ts";

const NODE = "tests/helpers/cluster_node.ts";
/** Invocations in flight at once; under the hub's 64 pending per connection. */
const WINDOW = 32;
/** A run that takes longer than this has failed (lost messages). */
const RUN_DEADLINE_MS = 120_000;

interface Result {
  readonly setup: string;
  readonly clients: number;
  readonly messages: number;
  readonly elapsedMs: number;
  readonly deliveriesPerSecond: number;
  /** On a cluster: `SPUBLISH` calls per master during the run. */
  readonly perShard?: number[];
}

function flag(name: string, fallback: number, max = 900): number {
  const at = Deno.args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(Deno.args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`--${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

/** Resolves when `expected` messages arrived on every receiver. */
function allReceived(receivers: signalR.HubConnection[], expected: number) {
  let pending = receivers.length;
  const done = Promise.withResolvers<void>();
  for (const conn of receivers) {
    let count = 0;
    conn.on("m", () => {
      if (++count === expected && --pending === 0) done.resolve();
    });
  }
  return done.promise;
}

async function run(
  setup: string,
  procs: AppProcess[],
  clients: number,
  messages: number,
): Promise<Result> {
  const receivers = await Promise.all(
    Array.from(
      { length: clients },
      (_, i) => connect(procs[i % procs.length].url, "/cluster"),
    ),
  );
  const sender = await connect(procs[0].url, "/cluster");
  try {
    const arrived = allReceived(receivers, messages);
    const started = performance.now();
    for (let sent = 0; sent < messages; sent += WINDOW) {
      const batch = Math.min(WINDOW, messages - sent);
      await Promise.all(
        Array.from(
          { length: batch },
          (_, i) => sender.invoke("SendAll", `${sent + i}`),
        ),
      );
    }
    await withDeadline(arrived, RUN_DEADLINE_MS, setup);
    const elapsedMs = performance.now() - started;
    return {
      setup,
      clients,
      messages,
      elapsedMs,
      deliveriesPerSecond: Math.round(clients * messages / elapsedMs * 1000),
    };
  } finally {
    await Promise.all([sender, ...receivers].map((c) => c.stop()));
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Setup {
  readonly name: string;
  readonly procs: AppProcess[];
  /** The cluster the setup runs on, to count each shard's share. */
  readonly cluster?: RedisCluster;
}

/** Runs one setup, counting each shard's `SPUBLISH` calls on a cluster. */
async function runSetup(
  setup: Setup,
  clients: number,
  messages: number,
): Promise<Result> {
  const before = await setup.cluster?.spublishCalls();
  const result = await run(setup.name, setup.procs, clients, messages);
  if (!setup.cluster || !before) return result;
  const after = await setup.cluster.spublishCalls();
  const perShard = [...after].map(([port, n]) => n - (before.get(port) ?? 0));
  return { ...result, perShard };
}

/**
 * Starts every setup's processes first, then interleaves the rounds
 * (A B C A B C ...) and keeps each setup's best, so neither warm-up nor
 * drift favours whichever setup runs first.
 */
async function measure(
  setups: Setup[],
  rounds: number,
  clients: number,
  messages: number,
): Promise<Result[]> {
  await run("warm-up", setups[0].procs, clients, messages);
  const best = new Map<string, Result>();
  for (let round = 0; round < rounds; round++) {
    for (const setup of setups) {
      const r = await runSetup(setup, clients, messages);
      const top = best.get(setup.name);
      if (!top || r.deliveriesPerSecond > top.deliveriesPerSecond) {
        best.set(setup.name, r);
      }
    }
  }
  return setups.map((s) => best.get(s.name)!);
}

function start(count: number, env: Record<string, string>) {
  return Promise.all(
    Array.from({ length: count }, () => AppProcess.start(NODE, env)),
  );
}

async function main(): Promise<void> {
  const clients = flag("clients", 200);
  const messages = flag("messages", 1_000, 10_000);
  const rounds = flag("rounds", 3, 20);
  const redis = await RedisServer.start();
  const cluster = await RedisCluster.start({ masters: 3 });
  const all: AppProcess[] = [];
  try {
    const quiet = { LOG_LEVEL: "warn" };
    const shared = {
      ...quiet,
      REDIS_URL: redis.url,
      HUB_PREFIX: `switchboard:bench-${crypto.randomUUID()}`,
    };
    // The one-process Redis setup gets a prefix of its own, so the
    // two-process setup's broadcasts never reach it.
    const alone = { ...shared, HUB_PREFIX: `${shared.HUB_PREFIX}-alone` };
    const setups: Setup[] = [
      {
        name: "1 process, in-memory",
        procs: await start(1, { ...quiet, REDIS_URL: "" }),
      },
      { name: "1 process + Redis", procs: await start(1, alone) },
      { name: "2 processes + Redis", procs: await start(2, shared) },
      {
        name: "2 processes + 3-shard cluster",
        procs: await start(2, {
          ...quiet,
          REDIS_CLUSTER_URLS: cluster.envValue,
          HUB_PREFIX: `${shared.HUB_PREFIX}-cluster`,
        }),
        cluster,
      },
    ];
    all.push(...setups.flatMap((s) => s.procs));
    print(await measure(setups, rounds, clients, messages));
  } finally {
    await Promise.all(all.map((p) => p.stop()));
    await redis.stop();
    await cluster.stop();
  }
}

function print(results: Result[]): void {
  console.log(
    "| setup | clients | broadcasts | time (ms) | deliveries/s | SPUBLISH per shard |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const r of results) {
    console.log(
      `| ${r.setup} | ${r.clients} | ${r.messages} | ${
        Math.round(r.elapsedMs)
      } | ${r.deliveriesPerSecond.toLocaleString("en-US")} | ${
        r.perShard?.join(" / ") ?? ""
      } |`,
    );
  }
}

if (import.meta.main) await main();
