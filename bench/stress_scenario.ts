/**
 * The stress scenario: well-behaved clients receive a steady broadcast
 * while slow readers, clients that never answer pings, and thousands of
 * connect/disconnect cycles (many of them abusive) hit the same hub. At
 * the end it checks the invariants: nothing crashed, every good client got
 * every broadcast once and in order, every offender was closed and
 * counted, the hub's maps are back to their baseline, and so is memory.
 *
 * @module
 */

import { planCycles } from "./stress_churn.ts";
import { GoodClient, openSlowReader } from "./stress_clients.ts";
import { startStressServer, type StressServer } from "./stress_hub.ts";
import { SeededRandom } from "../tests/helpers/seeded_random.ts";
import {
  checkGood,
  connectGood,
  connectOfficial,
  type OfficialClient,
  runChurn,
} from "./stress_actors.ts";
import type { StressConfig, StressReport } from "./stress_config.ts";

export { fullConfig, quickConfig } from "./stress_config.ts";
export type { StressConfig, StressReport } from "./stress_config.ts";

const HEAVY_SIZE = 32 * 1024;
const HEAVY_BATCH = 8;
/** Cycle kinds the hub must count as errors, one each. */
const OFFENCES = ["malformed", "oversize", "bad-handshake", "silent"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Figures = Record<string, number | string>;

async function settledHeap(): Promise<number | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  for (let i = 0; i < 3; i++) {
    await sleep(100);
    gc();
  }
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

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
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
  const run = new StressRun(server, config, fail);
  let figures: Figures = {};
  try {
    figures = await run.execute();
  } catch (error) {
    fail(`the run threw: ${(error as Error).stack}`);
  } finally {
    await run.teardown();
    await server.close();
    removeEventListener("error", onError);
    removeEventListener("unhandledrejection", onRejection);
  }
  for (const crash of crashes.slice(0, 5)) fail(`uncaught: ${crash}`);
  return { seed: config.seed, ok: failures.length === 0, failures, figures };
}

/** One run's clients, timers and counts; `teardown` releases all of it. */
class StressRun {
  readonly #server: StressServer;
  readonly #config: StressConfig;
  readonly #fail: (what: string) => void;
  readonly #deadline: number;
  readonly #started = Date.now();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #good: GoodClient[] = [];
  #official: OfficialClient[] = [];
  #slow: Deno.TcpConn[] = [];
  #noPong: GoodClient[] = [];
  #ticks = 0;
  #heavySent = 0;

  constructor(
    server: StressServer,
    config: StressConfig,
    fail: (what: string) => void,
  ) {
    this.#server = server;
    this.#config = config;
    this.#fail = fail;
    this.#deadline = this.#started + config.maxDurationMs;
  }

  #left(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** Setup, load, settle, judge; returns the figures. */
  async execute(): Promise<Figures> {
    const { url, hub } = this.#server;
    const rng = new SeededRandom(this.#config.seed);
    const plan = planCycles(rng, this.#config.cycles);
    this.#good = await connectGood(url, this.#config, rng);
    this.#official = await connectOfficial(url, this.#config.officialClients);
    const heavy = this.#good.slice(0, this.#config.heavyClients);
    for (const c of heavy) await c.invoke("Join", ["heavy"]);
    const baseline = hub.sizes();
    const heapBefore = await settledHeap();

    this.#startLoad();
    await this.#openOffenders();
    const churn = await runChurn(
      url,
      plan,
      this.#config.concurrency,
      this.#deadline,
      this.#fail,
    );
    const churnMs = Date.now() - this.#started;
    await this.#settleOffenders();
    const lastTick = await this.#stopTicks();
    checkGood(this.#good, this.#official, heavy, {
      lastTick,
      heavySent: this.#heavySent,
    }, this.#fail);
    this.#checkErrors(churn.kinds);
    await this.#closeOffenders();
    await this.#checkMaps(baseline);
    const heapAfter = await settledHeap();
    this.#checkHeap(heapBefore, heapAfter);
    if (Date.now() > this.#deadline) {
      this.#fail(`run exceeded ${this.#config.maxDurationMs} ms`);
    }
    return {
      durationMs: Date.now() - this.#started,
      churnMs,
      cycles: churn.done,
      cyclesPerSecond: Math.round(churn.done / (churnMs / 1000)),
      ...churn.kinds,
      goodClients: this.#good.length,
      officialClients: this.#official.length,
      broadcasts: lastTick,
      deliveries: lastTick * (this.#good.length + this.#official.length),
      heavySent: this.#heavySent,
      slowConsumerCloses: hub.counters.slowConsumerCloses,
      errorsCounted: hub.counters.errors,
      heapBeforeMB: heapBefore === null ? "no gc" : mb(heapBefore),
      heapAfterMB: heapAfter === null ? "no gc" : mb(heapAfter),
      rssMB: mb(Deno.memoryUsage().rss),
    };
  }

  /** Pings (one timer for all, as each JS client would), ticks, floods. */
  #startLoad(): void {
    const hub = this.#server.hub;
    this.#timers.push(
      setInterval(() => this.#good.forEach((c) => c.ping()), 1_000),
      setInterval(
        () => hub.clients.all.send("tick", ++this.#ticks),
        this.#config.tickMs,
      ),
      setInterval(() => {
        if (this.#slowDone()) return;
        for (let i = 0; i < HEAVY_BATCH; i++) {
          const payload = "h".repeat(HEAVY_SIZE);
          hub.clients.group("heavy").send("heavy", ++this.#heavySent, payload);
        }
      }, 100),
    );
  }

  #slowDone(): boolean {
    const closes = this.#server.hub.counters.slowConsumerCloses;
    return closes >= this.#config.slowReaders;
  }

  async #openOffenders(): Promise<void> {
    const url = this.#server.url;
    const { slowReaders, noPongClients } = this.#config;
    this.#slow = await Promise.all(
      Array.from({ length: slowReaders }, () => openSlowReader(url, "heavy")),
    );
    this.#noPong = await Promise.all(
      Array.from(
        { length: noPongClients },
        () => GoodClient.connect(url, { negotiate: true }),
      ),
    );
  }

  /** Slow readers must be closed as slow, silent ones for their silence. */
  async #settleOffenders(): Promise<void> {
    if (!await eventually(() => this.#slowDone(), this.#left())) {
      this.#fail("slow readers were not closed");
    }
    const closes = this.#server.hub.counters.slowConsumerCloses;
    if (closes !== this.#config.slowReaders) {
      this.#fail(
        `${closes} slow-consumer closes, expected only the slow readers`,
      );
    }
    const silentClosed = () =>
      this.#noPong.every((c) => c.serverClose !== null);
    if (!await eventually(silentClosed, this.#left())) {
      this.#fail("clients that never ping were not all closed");
    }
    for (const c of this.#noPong) {
      if (c.serverClose?.startsWith("Server timeout elapsed") === false) {
        this.#fail(`a silent client was closed with '${c.serverClose}'`);
      }
    }
  }

  /** Stops broadcasting and lets the last ticks arrive. */
  async #stopTicks(): Promise<number> {
    clearInterval(this.#timers[1]);
    const last = this.#ticks;
    await eventually(
      () =>
        this.#good.every((c) => c.next.tick > last) &&
        this.#official.every((c) => c.next > last),
      this.#left(),
    );
    return last;
  }

  /** Every offending cycle is one counted error, and nothing else is. */
  #checkErrors(kinds: Record<string, number>): void {
    let offences = 0;
    for (const kind of OFFENCES) offences += kinds[`cycles_${kind}`] ?? 0;
    const counted = this.#server.hub.counters.errors;
    if (counted !== offences) {
      this.#fail(`the hub counted ${counted} errors for ${offences} offences`);
    }
  }

  async #closeOffenders(): Promise<void> {
    for (const conn of this.#slow) conn.close();
    this.#slow = [];
    await Promise.all(this.#noPong.map((c) => c.close()));
    this.#noPong = [];
  }

  async #checkMaps(baseline: object): Promise<void> {
    const hub = this.#server.hub;
    const same = () => JSON.stringify(hub.sizes()) === JSON.stringify(baseline);
    if (!await eventually(same, Math.max(this.#left(), 10_000))) {
      const now = JSON.stringify(hub.sizes());
      this.#fail(`maps ${now} not back to ${JSON.stringify(baseline)}`);
    }
  }

  #checkHeap(before: number | null, after: number | null): void {
    if (before === null || after === null) return;
    if (after - before > this.#config.heapSlackBytes) {
      this.#fail(`heap grew ${mb(after - before)} MB after churn`);
    }
  }

  /** Stops every timer and closes every client; safe after a failure. */
  async teardown(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    for (const conn of this.#slow) conn.close();
    await Promise.all([...this.#noPong, ...this.#good].map((c) => c.close()));
    await Promise.all(this.#official.map((c) => c.connection.stop()));
  }
}
