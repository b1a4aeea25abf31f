/**
 * The stress scenario: well-behaved clients receive a steady broadcast
 * while slow readers, clients that never answer pings, and thousands of
 * connect/disconnect cycles (many of them abusive) hit the same hub. At
 * the end it checks the invariants: nothing crashed, every good client got
 * every broadcast once and in order, every offender was closed, the hub's
 * maps are back to their baseline, and so is memory.
 *
 * @module
 */

import { type Cycle, planCycles, runCycle } from "./stress_churn.ts";
import { GoodClient, openSlowReader } from "./stress_clients.ts";
import { startStressServer, type StressServer } from "./stress_hub.ts";
import { SeededRandom } from "./stress_random.ts";
import * as signalR from "@microsoft/signalr";

/** Knobs of a run; every count and wait is bounded. */
export interface StressConfig {
  seed: number;
  /** Connect/disconnect cycles (good and bad). */
  cycles: number;
  /** Well-behaved raw clients held for the whole run. */
  clients: number;
  /** Official `@microsoft/signalr` clients among the good ones. */
  officialClients: number;
  /** Cycles running at once. */
  concurrency: number;
  slowReaders: number;
  noPongClients: number;
  /** Good clients that also take the heavy stream the slow readers choke on. */
  heavyClients: number;
  /** Broadcast period. */
  tickMs: number;
  /** The whole run must end within this, or it fails. */
  maxDurationMs: number;
  /** Heap growth allowed after churn, in bytes (checked only with gc). */
  heapSlackBytes: number;
}

/** What a run measured and whether its invariants held. */
export interface StressReport {
  readonly seed: number;
  readonly ok: boolean;
  readonly failures: string[];
  readonly figures: Record<string, number | string>;
}

/** A small run for `deno task test`. */
export const quickConfig: Omit<StressConfig, "seed"> = {
  cycles: 300,
  clients: 50,
  officialClients: 3,
  concurrency: 25,
  slowReaders: 2,
  noPongClients: 3,
  heavyClients: 2,
  tickMs: 50,
  maxDurationMs: 60_000,
  heapSlackBytes: 16 * 1024 * 1024,
};

/** The full run of `deno task stress`. */
export const fullConfig: Omit<StressConfig, "seed"> = {
  cycles: 10_000,
  clients: 1_000,
  officialClients: 10,
  concurrency: 50,
  slowReaders: 5,
  noPongClients: 20,
  heavyClients: 3,
  tickMs: 100,
  maxDurationMs: 600_000,
  heapSlackBytes: 24 * 1024 * 1024,
};

const HEAVY_SIZE = 32 * 1024;
const HEAVY_BATCH = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gc(): boolean {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return false;
  collect();
  collect();
  return true;
}

async function settledHeap(): Promise<number | null> {
  await sleep(200);
  if (!gc()) return null;
  await sleep(50);
  gc();
  return Deno.memoryUsage().heapUsed;
}

/** Waits for `check`, polling; false if `ms` passed first. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs the scenario and returns its report; never throws for a failure. */
export async function runStress(config: StressConfig): Promise<StressReport> {
  const failures: string[] = [];
  const fail = (what: string) => {
    if (failures.length < 50) failures.push(what);
  };
  const crashes: string[] = [];
  const onError = (e: ErrorEvent) => {
    crashes.push(String(e.error?.stack ?? e.message));
    e.preventDefault();
  };
  const onRejection = (e: PromiseRejectionEvent) => {
    crashes.push(String(e.reason?.stack ?? e.reason));
    e.preventDefault();
  };
  addEventListener("error", onError);
  addEventListener("unhandledrejection", onRejection);
  const server = await startStressServer();
  try {
    const figures = await scenario(server, config, fail);
    for (const crash of crashes.slice(0, 5)) fail(`uncaught: ${crash}`);
    return { seed: config.seed, ok: failures.length === 0, failures, figures };
  } finally {
    removeEventListener("error", onError);
    removeEventListener("unhandledrejection", onRejection);
    await server.close();
  }
}

async function scenario(
  server: StressServer,
  config: StressConfig,
  fail: (what: string) => void,
): Promise<Record<string, number | string>> {
  const started = Date.now();
  const deadline = started + config.maxDurationMs;
  const rng = new SeededRandom(config.seed);
  const plan = planCycles(rng, config.cycles);
  const { url, hub } = server;

  const good = await connectGood(url, config, rng);
  const official = await connectOfficial(url, config.officialClients);
  const heavy = good.slice(0, config.heavyClients);
  for (const c of heavy) await c.invoke("Join", ["heavy"]);
  const baseline = hub.sizes();
  const heapBefore = await settledHeap();

  // One timer pings every good client, as the JS client would.
  const pinger = setInterval(() => good.forEach((c) => c.ping()), 1_000);
  let ticks = 0;
  const ticker = setInterval(
    () => hub.clients.all.send("tick", ++ticks),
    config.tickMs,
  );

  const slow = await Promise.all(
    Array.from(
      { length: config.slowReaders },
      () => openSlowReader(url, "heavy"),
    ),
  );
  const noPong = await Promise.all(
    Array.from(
      { length: config.noPongClients },
      () => GoodClient.connect(url, true),
    ),
  );
  let heavySent = 0;
  const slowDone = () => hub.counters.slowConsumerCloses >= config.slowReaders;
  const flooder = setInterval(() => {
    if (slowDone()) return;
    for (let i = 0; i < HEAVY_BATCH; i++) {
      hub.clients.group("heavy").send(
        "heavy",
        ++heavySent,
        "h".repeat(HEAVY_SIZE),
      );
    }
  }, 100);

  const churn = await runChurn(url, plan, config.concurrency, deadline, fail);
  const churnMs = Date.now() - started;

  const left = () => Math.max(0, deadline - Date.now());
  if (!await eventually(slowDone, left())) fail("slow readers were not closed");
  clearInterval(flooder);
  const noPongClosed = await eventually(
    () => noPong.every((c) => c.serverClose !== null),
    left(),
  );
  if (!noPongClosed) fail("clients that never ping were not all closed");
  for (const c of noPong) {
    if (
      c.serverClose !== null &&
      !c.serverClose.startsWith("Server timeout elapsed")
    ) fail(`a silent client was closed with '${c.serverClose}'`);
  }
  clearInterval(ticker);
  const lastTick = ticks;
  await eventually(() => good.every((c) => c.next.tick > lastTick), left());
  await eventually(() => official.every((c) => c.next > lastTick), left());
  checkGood(good, official, heavy, { lastTick, heavySent }, fail);

  for (const conn of slow) conn.close();
  await Promise.all(noPong.map((c) => c.close()));
  const same = (a: object, b: object) =>
    JSON.stringify(a) === JSON.stringify(b);
  if (
    !await eventually(
      () => same(hub.sizes(), baseline),
      Math.max(left(), 10_000),
    )
  ) {
    fail(
      `maps ${JSON.stringify(hub.sizes())} not back to ${
        JSON.stringify(baseline)
      }`,
    );
  }
  const heapAfter = await settledHeap();
  if (
    heapBefore !== null && heapAfter !== null &&
    heapAfter - heapBefore > config.heapSlackBytes
  ) fail(`heap grew ${mb(heapAfter - heapBefore)} MB after churn`);
  clearInterval(pinger);
  if (Date.now() > deadline) fail(`run exceeded ${config.maxDurationMs} ms`);

  await Promise.all(good.map((c) => c.close()));
  await Promise.all(official.map((c) => c.connection.stop()));
  return {
    seed: config.seed,
    durationMs: Date.now() - started,
    churnMs,
    cycles: churn.done,
    cyclesPerSecond: Math.round(churn.done / (churnMs / 1000)),
    ...churn.kinds,
    goodClients: good.length,
    officialClients: official.length,
    broadcasts: lastTick,
    deliveries: lastTick * (good.length + official.length),
    heavySent,
    slowConsumerCloses: hub.counters.slowConsumerCloses,
    errorsCounted: hub.counters.errors,
    heapBeforeMB: heapBefore === null ? "no gc" : mb(heapBefore),
    heapAfterMB: heapAfter === null ? "no gc" : mb(heapAfter),
    rssMB: mb(Deno.memoryUsage().rss),
  };
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function connectGood(
  url: string,
  config: StressConfig,
  rng: SeededRandom,
): Promise<GoodClient[]> {
  const clients: GoodClient[] = [];
  const batch = 50;
  for (let i = 0; i < config.clients; i += batch) {
    const n = Math.min(batch, config.clients - i);
    clients.push(
      ...await Promise.all(
        Array.from(
          { length: n },
          (_, k) =>
            GoodClient.connect(
              url,
              rng.next() < 0.5,
              `room-${(i + k) % 10}`,
              true,
            ),
        ),
      ),
    );
  }
  return clients;
}

/** An official client counting ticks. */
interface OfficialClient {
  connection: signalR.HubConnection;
  next: number;
  faults: number;
  closed: boolean;
}

async function connectOfficial(
  url: string,
  n: number,
): Promise<OfficialClient[]> {
  return await Promise.all(Array.from({ length: n }, async () => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(url + "/hub", {
        transport: signalR.HttpTransportType.WebSockets,
      })
      // The hub's client timeout is 4 s in a run, so ping more often.
      .withKeepAliveInterval(1_000)
      .configureLogging(signalR.LogLevel.None)
      .build();
    const c: OfficialClient = { connection, next: 1, faults: 0, closed: false };
    connection.on("tick", (n: number) => {
      if (n !== c.next) c.faults++;
      c.next = n + 1;
    });
    connection.onclose(() => c.closed = true);
    await connection.start();
    return c;
  }));
}

function checkGood(
  good: GoodClient[],
  official: OfficialClient[],
  heavy: GoodClient[],
  sent: { lastTick: number; heavySent: number },
  fail: (what: string) => void,
): void {
  for (const c of good) {
    if (c.faultCount > 0) fail(`good client faults: ${c.faults.join("; ")}`);
    if (c.serverClose !== null) fail(`good client closed: '${c.serverClose}'`);
    if (c.next.tick !== sent.lastTick + 1) {
      fail(`good client got ${c.next.tick - 1} of ${sent.lastTick} broadcasts`);
    }
  }
  for (const c of heavy) {
    if (c.next.heavy !== sent.heavySent + 1) {
      fail(`heavy client got ${c.next.heavy - 1} of ${sent.heavySent}`);
    }
  }
  for (const c of official) {
    if (c.faults > 0 || c.closed || c.next !== sent.lastTick + 1) {
      fail(
        `official client: next ${c.next}, faults ${c.faults}, closed ${c.closed}`,
      );
    }
  }
}

async function runChurn(
  url: string,
  plan: Cycle[],
  concurrency: number,
  deadline: number,
  fail: (what: string) => void,
): Promise<{ done: number; kinds: Record<string, number> }> {
  let next = 0;
  let done = 0;
  const kinds: Record<string, number> = {};
  const worker = async () => {
    while (next < plan.length && Date.now() < deadline) {
      const cycle = plan[next++];
      try {
        const failure = await runCycle(url, cycle);
        if (failure) fail(`cycle ${cycle.kind}: ${failure}`);
      } catch (error) {
        fail(`cycle ${cycle.kind} threw: ${(error as Error).message}`);
      }
      done++;
      kinds[`cycles_${cycle.kind}`] = (kinds[`cycles_${cycle.kind}`] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, kinds };
}
