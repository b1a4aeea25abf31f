/**
 * The public-contract load generator: one process that opens N clients
 * the way users do (negotiate first for Switchboard, then a WebSocket and
 * the handshake), joins them to group `bench`, and runs the workloads of
 * the headline table against one target, reading the target's RSS and CPU
 * from /proc at the right moments. Prints one JSON result line.
 *
 * Run: deno run --allow-all bench/contract_worker.ts '<ContractConfig JSON>'
 * (Deno grants reads of another process's /proc only with --allow-all;
 * the worker itself talks to 127.0.0.1 only)
 *
 * Latency is measured within this process: each client counts the group
 * broadcasts it received, and receipt k is matched to the sender's send
 * time of broadcast k (every target keeps per-connection order).
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { cpuSeconds, rssBytes } from "../tests/helpers/proc_stats.ts";
import {
  broadcastsIn,
  type ContractDialect,
  contractDialect,
  type ContractTarget,
} from "./contract_dialect.ts";
import { type FrameSink, WsClient } from "./ws_client.ts";
import { Handshakes } from "./handshakes.ts";
import { NegotiateClient } from "./negotiate_client.ts";

/** What the runner asks for. */
export interface ContractConfig {
  target: ContractTarget;
  port: number;
  /** The target's pid, for /proc reads. */
  pid: number;
  n: number;
  /** Handshakes in flight while connecting. */
  concurrency: number;
  /** Back-to-back broadcasts of the flood. */
  floodCount: number;
  pacedHz: number;
  pacedMs: number;
  /** Closed-loop GetConnectionId callers. */
  callers: number;
  rrMs: number;
  /** Workloads to run after connecting; the others report NaN (null). */
  phases: ContractPhase[];
}

/** The workloads after connect: join + flood + paced, and round trips. */
export type ContractPhase = "flood" | "rr";

const NOT_RUN = {
  delivered: NaN,
  expected: NaN,
  p50Ms: NaN,
  p99Ms: NaN,
  perSecond: NaN,
  firstMs: NaN,
  cpuSeconds: NaN,
  perCpuSecond: NaN,
  rssAfterBytes: NaN,
  serverCpuUs: NaN,
  clientCpuUs: NaN,
};

/** Latency figures of one workload, in ms. */
export interface LatencyFigures {
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
}

/** What one run against one target measured. */
export interface ContractResult {
  target: ContractTarget;
  n: number;
  connected: number;
  failures: Record<string, number>;
  connectsPerSecond: number;
  /** The target's CPU per connection opened (negotiate included), µs. */
  connectServerCpuUs: number;
  /** The load generator's own CPU per connection opened, µs. */
  connectClientCpuUs: number;
  idleBytesPerConn: number;
  flood: LatencyFigures & {
    perSecond: number;
    firstMs: number;
    cpuSeconds: number;
    perCpuSecond: number;
    rssAfterBytes: number;
  };
  paced: LatencyFigures;
  roundTrips: {
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    /** The target's CPU per round trip, µs. */
    serverCpuUs: number;
    /** The load generator's own CPU per round trip, µs (same for all). */
    clientCpuUs: number;
  };
}

type Phase = "connect" | "join" | "broadcast" | "rr" | "idle";

const KEEPALIVE_MS = 15_000;
const HANDSHAKE_TIMEOUT_MS = 15_000;
const JOIN_TIMEOUT_MS = 60_000;
/** Longest wait for a workload's last delivery. */
const DELIVERY_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class ContractLoad implements FrameSink {
  readonly #config: ContractConfig;
  readonly #dialect: ContractDialect;
  #clients: WsClient[] = [];
  #hs: Handshakes;
  #phase: Phase = "connect";
  #answered = 0;
  #sendTimes: number[] = [];
  #got: Uint32Array;
  #delivered = 0;
  #firstAt = 0;
  #lastAt = 0;
  #hist = new Histogram();
  #callAt: Float64Array;
  #callId = 0;
  #calling = false;
  #rrDone = 0;

  constructor(config: ContractConfig) {
    this.#config = config;
    this.#dialect = contractDialect(config.target);
    this.#hs = new Handshakes(config.n + 1);
    this.#got = new Uint32Array(config.n + 1);
    this.#callAt = new Float64Array(config.n + 1);
    setInterval(() => this.#keepAlive(), KEEPALIVE_MS);
  }

  /** Opens n + 1 clients (the last is the sender); resolves to ms taken. */
  async connect(): Promise<number> {
    const total = this.#config.n + 1;
    const started = performance.now();
    let next = 0;
    const runner = async () => {
      const http = this.#dialect.negotiates
        ? new NegotiateClient(
          this.#config.port,
          "/chart/negotiate?negotiateVersion=1",
        )
        : null;
      while (next < total) await this.#openOne(next++, http);
      http?.close();
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#config.concurrency, total) }, runner),
    );
    return performance.now() - started;
  }

  async #openOne(tag: number, http: NegotiateClient | null): Promise<void> {
    let client: WsClient;
    try {
      const token = http ? await http.negotiate() : null;
      client = await WsClient.open(
        "127.0.0.1",
        this.#config.port,
        this.#dialect.path(token),
        this,
        tag,
      );
    } catch (error) {
      this.#hs.fail((error as Error).message.slice(0, 60));
      return;
    }
    const ready = this.#hs.wait(client);
    if (this.#dialect.greeting) client.sendText(this.#dialect.greeting);
    const timer = setTimeout(() => {
      if (this.#hs.waiting(client)) this.#hs.fail("handshake timeout");
      this.#hs.settle(client, false);
    }, HANDSHAKE_TIMEOUT_MS);
    if (await ready) this.#clients[tag] = client;
    else client.close();
    clearTimeout(timer);
  }

  get failures(): Record<string, number> {
    return this.#hs.failures;
  }

  /** Receivers: every connected client but the sender. */
  get members(): WsClient[] {
    return this.#clients.slice(0, this.#config.n).filter((c) => c && !c.closed);
  }

  get #sender(): WsClient {
    const sender = this.#clients[this.#config.n];
    if (!sender) throw new Error("The sender did not connect");
    return sender;
  }

  onFrame(client: WsClient, bytes: Uint8Array, start: number, end: number) {
    if (this.#hs.ready[client.tag] === 0) {
      const { ready, reply } = this.#dialect.hello(bytes, start);
      if (reply) client.sendText(reply);
      if (ready) this.#hs.settle(client, true);
      else if (!reply) {
        this.#hs.fail("refused handshake");
        this.#hs.settle(client, false);
      }
      return;
    }
    const pong = this.#dialect.pingReply(bytes, start, end);
    if (pong !== null) {
      client.sendText(pong);
      return;
    }
    if (this.#phase === "broadcast") this.#received(client, bytes, start, end);
    else if (this.#phase === "join") {
      this.#answered += this.#dialect.answers(bytes, start, end);
    } else if (this.#phase === "rr") this.#answer(client, bytes, start, end);
  }

  #received(client: WsClient, bytes: Uint8Array, start: number, end: number) {
    const n = broadcastsIn(bytes, start, end);
    if (n === 0) return;
    const now = performance.now();
    if (this.#firstAt === 0) this.#firstAt = now;
    this.#lastAt = now;
    for (let i = 0; i < n; i++) {
      const k = this.#got[client.tag]++;
      const sentAt = this.#sendTimes[k];
      if (sentAt === undefined) continue;
      this.#delivered++;
      this.#hist.record((now - sentAt) * 1000);
    }
  }

  #answer(client: WsClient, bytes: Uint8Array, start: number, end: number) {
    const at = this.#callAt[client.tag];
    if (at === 0 || this.#dialect.answers(bytes, start, end) === 0) return;
    this.#callAt[client.tag] = 0;
    if (!this.#calling) return;
    this.#rrDone++;
    this.#hist.record((performance.now() - at) * 1000);
    this.#call(client);
  }

  #call(client: WsClient): void {
    this.#callAt[client.tag] = performance.now();
    client.sendText(this.#dialect.call(++this.#callId));
  }

  onClose(client: WsClient): void {
    if (this.#hs.waiting(client)) this.#hs.fail("closed before ready");
    this.#hs.settle(client, false);
  }

  /** Every member joins group `bench` and waits for its answer. */
  async join(): Promise<void> {
    const members = this.members;
    this.#phase = "join";
    this.#answered = 0;
    for (const c of members) c.sendText(this.#dialect.join(++this.#callId));
    const deadline = performance.now() + JOIN_TIMEOUT_MS;
    while (this.#answered < members.length) {
      if (performance.now() > deadline) throw new Error("Joins timed out");
      await sleep(20);
    }
    this.#phase = "idle";
  }

  /**
   * Sends `count` broadcasts, `gapMs` apart (0: back to back, without
   * waiting), then waits until every member got all of them.
   */
  async broadcast(count: number, gapMs: number) {
    const members = this.members.length;
    this.#got.fill(0);
    this.#hist.reset();
    this.#delivered = this.#firstAt = this.#lastAt = 0;
    this.#sendTimes = [];
    this.#phase = "broadcast";
    const sender = this.#sender;
    const cpuBefore = cpuSeconds(this.#config.pid);
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      if (gapMs > 0 && i > 0) {
        await sleep(started + i * gapMs - performance.now());
      }
      this.#sendTimes.push(performance.now());
      sender.sendText(this.#dialect.broadcast);
    }
    const expected = members * count;
    const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
    while (this.#delivered < expected && performance.now() < deadline) {
      await sleep(5);
    }
    const cpu = cpuSeconds(this.#config.pid) - cpuBefore;
    const rssAfterBytes = rssBytes(this.#config.pid);
    this.#phase = "idle";
    const seconds = (this.#lastAt - started) / 1000;
    return {
      delivered: this.#delivered,
      expected,
      p50Ms: this.#hist.quantileMs(0.5),
      p99Ms: this.#hist.quantileMs(0.99),
      perSecond: this.#delivered / seconds,
      firstMs: this.#firstAt - started,
      cpuSeconds: cpu,
      perCpuSecond: this.#delivered / cpu,
      rssAfterBytes,
    };
  }

  /** `callers` members spread over all call in a closed loop for `ms`. */
  async roundTrips(callers: number, ms: number) {
    const members = this.members;
    const step = Math.max(1, Math.floor(members.length / callers));
    this.#hist.reset();
    this.#rrDone = 0;
    this.#phase = "rr";
    this.#calling = true;
    const serverCpu = cpuSeconds(this.#config.pid);
    const clientCpu = cpuSeconds(Deno.pid);
    const started = performance.now();
    for (let i = 0; i < callers && i * step < members.length; i++) {
      this.#call(members[i * step]);
    }
    await sleep(ms);
    this.#calling = false;
    const seconds = (performance.now() - started) / 1000;
    const done = this.#rrDone;
    const serverCpuUs = (cpuSeconds(this.#config.pid) - serverCpu) * 1e6 /
      done;
    const clientCpuUs = (cpuSeconds(Deno.pid) - clientCpu) * 1e6 / done;
    // Let answers in flight arrive before another workload starts.
    await sleep(300);
    this.#phase = "idle";
    return {
      perSecond: done / seconds,
      p50Ms: this.#hist.quantileMs(0.5),
      p99Ms: this.#hist.quantileMs(0.99),
      serverCpuUs,
      clientCpuUs,
    };
  }

  #keepAlive(): void {
    const text = this.#dialect.keepAlive;
    if (text === null) return;
    for (const c of this.#clients) if (c && !c.closed) c.sendText(text);
  }
}

/** Runs every workload against the target in `config`. */
export async function runContract(
  config: ContractConfig,
): Promise<ContractResult> {
  const load = new ContractLoad(config);
  const rssBefore = rssBytes(config.pid);
  const serverCpu = cpuSeconds(config.pid);
  const clientCpu = cpuSeconds(Deno.pid);
  const connectMs = await load.connect();
  const connected = load.members.length;
  const opened = Math.max(1, connected + 1);
  const connectServerCpuUs = (cpuSeconds(config.pid) - serverCpu) * 1e6 /
    opened;
  const connectClientCpuUs = (cpuSeconds(Deno.pid) - clientCpu) * 1e6 /
    opened;
  // Let the target settle (allocations freed, timers armed) before reading.
  await sleep(2000);
  const idleBytesPerConn = (rssBytes(config.pid) - rssBefore) /
    Math.max(1, connected);
  let flood: ContractResult["flood"] = NOT_RUN;
  let paced: LatencyFigures = NOT_RUN;
  if (config.phases.includes("flood")) {
    await load.join();
    await sleep(500);
    flood = await load.broadcast(config.floodCount, 0);
    await sleep(1000);
    const pacedCount = Math.round((config.pacedMs / 1000) * config.pacedHz);
    const { delivered, expected, p50Ms, p99Ms } = await load.broadcast(
      pacedCount,
      1000 / config.pacedHz,
    );
    paced = { delivered, expected, p50Ms, p99Ms };
    await sleep(500);
  }
  const roundTrips = config.phases.includes("rr")
    ? await load.roundTrips(config.callers, config.rrMs)
    : NOT_RUN;
  return {
    target: config.target,
    n: config.n,
    connected,
    failures: load.failures,
    connectsPerSecond: (connected + 1) / (connectMs / 1000),
    connectServerCpuUs,
    connectClientCpuUs,
    idleBytesPerConn,
    flood,
    paced,
    roundTrips,
  };
}

if (import.meta.main) {
  const config = JSON.parse(Deno.args[0]) as ContractConfig;
  const result = await runContract(config);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}
