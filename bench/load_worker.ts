/**
 * One load-generator process: holds its share of the N clients, answers
 * pings, counts deliveries and records latency from the payload marker.
 * Worker 0 also holds the driver connection that triggers broadcasts. The
 * runner (bench/run.ts) drives it with JSON lines on stdin and reads JSON
 * lines from stdout; see `Command` for the vocabulary.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/load_worker.ts
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { readLines } from "../tests/helpers/line_channel.ts";
import {
  type Dialect,
  dialect,
  type DialectName,
  marker,
  type MarkerSink,
  nowMicros,
  scanMarkers,
} from "./wire_dialect.ts";
import { type FrameSink, WsClient } from "./ws_client.ts";
import { Handshakes } from "./handshakes.ts";

/** Workloads a worker can run. */
export type Phase = "idle" | "latency" | "rr" | "flood";

/** Commands from the runner, one JSON object per line. */
export type Command =
  | {
    op: "connect";
    host: string;
    port: number;
    dialect: DialectName;
    count: number;
    concurrency: number;
    driver: boolean;
    timeoutMs: number;
  }
  | {
    op: "start";
    phase: Phase;
    rateHz: number;
    window: number;
    receivers: number;
  }
  | { op: "mark" }
  | { op: "stop" }
  | { op: "peer"; worker: number; delivered: number }
  | { op: "exit" };

const KEEPALIVE_MS = 15_000;
/** How often non-driver workers tell the driver their delivery count in a flood. */
const PEER_REPORT_MS = 5;
/** Without progress this long, in-flight broadcasts count as lost so the flood goes on. */
const STALL_MS = 500;

class LoadWorker implements FrameSink, MarkerSink {
  #dialect: Dialect = dialect("raw");
  #clients: WsClient[] = [];
  #hs = new Handshakes(0);
  #driver: WsClient | null = null;
  #closed = 0;
  #phase: Phase = "idle";
  #counting = false;
  #markAt = 0;
  #delivered = 0;
  #deliveredAll = 0;
  #hist = new Histogram();
  #now = 0;
  #current: WsClient | null = null;
  #requestId = 0;
  #seq = 0;
  #sent = 0;
  #receivers = 0;
  #window = 0;
  #peers = new Map<number, number>();
  #forgiven = 0;
  #lastTotal = -1;
  #lastProgress = 0;
  #timers: ReturnType<typeof setInterval>[] = [];

  constructor() {
    setInterval(() => this.#keepAlive(), KEEPALIVE_MS);
  }

  async connect(cmd: Extract<Command, { op: "connect" }>): Promise<void> {
    this.#dialect = dialect(cmd.dialect);
    const total = cmd.count + (cmd.driver ? 1 : 0);
    this.#hs = new Handshakes(total);
    const started = performance.now();
    let next = 0;
    let ok = 0;
    const runner = async () => {
      while (next < total) {
        const tag = next++;
        if (await this.#openOne(cmd, tag)) ok++;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(cmd.concurrency, total) }, runner),
    );
    const ms = performance.now() - started;
    if (cmd.driver) {
      this.#driver = this.#clients.find((c) => c.tag === cmd.count) ?? null;
    }
    emit({
      ev: "connected",
      ok,
      failed: total - ok,
      failures: this.#hs.failures,
      ms,
      driver: this.#driver !== null,
    });
  }

  async #openOne(
    cmd: Extract<Command, { op: "connect" }>,
    tag: number,
  ): Promise<boolean> {
    let client: WsClient;
    try {
      client = await WsClient.open(
        cmd.host,
        cmd.port,
        this.#dialect.path,
        this,
        tag,
      );
    } catch (error) {
      this.#hs.fail((error as Error).message.slice(0, 60));
      return false;
    }
    this.#clients.push(client);
    if (this.#dialect.readyOnOpen) {
      this.#hs.ready[tag] = 1;
      return true;
    }
    const ready = this.#hs.wait(client);
    if (this.#dialect.greeting) client.sendText(this.#dialect.greeting);
    const timer = setTimeout(() => {
      if (this.#hs.waiting(client)) this.#hs.fail("handshake timeout");
      this.#hs.settle(client, false);
    }, cmd.timeoutMs);
    const ok = await ready;
    clearTimeout(timer);
    if (!ok) client.close();
    return ok;
  }

  onFrame(
    client: WsClient,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): void {
    if (this.#hs.ready[client.tag] === 0) {
      const { state, reply } = this.#dialect.hello(bytes, start, end);
      if (reply) client.sendText(reply);
      if (state === "fail") {
        this.#hs.fail(
          `hello: ${
            new TextDecoder().decode(bytes.subarray(start, end)).slice(0, 60)
          }`,
        );
      }
      if (state !== "wait") this.#hs.settle(client, state === "ready");
      return;
    }
    const pong = this.#dialect.pingReply(bytes, start, end);
    if (pong !== null) {
      client.sendText(pong);
      return;
    }
    if (this.#phase === "idle" || client === this.#driver) return;
    this.#current = client;
    this.#now = nowMicros();
    scanMarkers(bytes, start, end, this);
  }

  onClose(client: WsClient): void {
    this.#closed++;
    if (this.#hs.waiting(client)) this.#hs.fail("closed before ready");
    this.#hs.settle(client, false);
  }

  onMarker(_seq: number, micros: number): void {
    if (this.#phase === "rr") {
      const client = this.#current!;
      if (client.pending === 0) return;
      client.pending = 0;
      this.#count(micros);
      this.#request(client);
      return;
    }
    this.#deliveredAll++;
    this.#count(micros);
    if (this.#phase === "flood" && this.#driver) this.#pump();
  }

  #count(micros: number): void {
    if (!this.#counting) return;
    this.#delivered++;
    this.#hist.record(this.#now - micros);
  }

  #request(client: WsClient): void {
    const at = nowMicros();
    client.pending = at;
    client.sendText(this.#dialect.request(++this.#requestId, marker(0, at)));
  }

  start(cmd: Extract<Command, { op: "start" }>): void {
    this.#phase = cmd.phase;
    this.#deliveredAll = 0;
    this.#sent = 0;
    this.#forgiven = 0;
    this.#peers.clear();
    this.#receivers = cmd.receivers;
    this.#window = cmd.window;
    if (cmd.phase === "rr") {
      for (const c of this.#clients) {
        if (c !== this.#driver && this.#hs.ready[c.tag] && !c.closed) {
          this.#request(c);
        }
      }
    } else if (cmd.phase === "latency" && this.#driver) {
      this.#timers.push(
        setInterval(() => this.#broadcast(), 1000 / cmd.rateHz),
      );
    } else if (cmd.phase === "flood" && this.#driver) {
      this.#lastProgress = performance.now();
      this.#timers.push(setInterval(() => this.#unstall(), STALL_MS / 5));
      this.#pump();
    } else if (cmd.phase === "flood") {
      let last = -1;
      this.#timers.push(setInterval(() => {
        if (last === this.#deliveredAll) return;
        last = this.#deliveredAll;
        emit({ ev: "d", n: last });
      }, PEER_REPORT_MS));
    }
  }

  #broadcast(): void {
    this.#sent++;
    this.#driver!.sendText(
      this.#dialect.broadcast(marker(++this.#seq, nowMicros())),
    );
  }

  /** Keeps at most `window` broadcasts' worth of deliveries outstanding. */
  #pump(): void {
    let total = this.#deliveredAll + this.#forgiven;
    for (const n of this.#peers.values()) total += n;
    const credit = this.#window * this.#receivers;
    while (this.#sent * this.#receivers - total < credit) this.#broadcast();
  }

  #unstall(): void {
    let total = this.#deliveredAll;
    for (const n of this.#peers.values()) total += n;
    const now = performance.now();
    if (total !== this.#lastTotal) {
      this.#lastTotal = total;
      this.#lastProgress = now;
      return;
    }
    if (now - this.#lastProgress < STALL_MS) return;
    // Deliveries the target dropped would hold the window shut forever.
    this.#forgiven = this.#sent * this.#receivers - total;
    this.#lastProgress = now;
    this.#pump();
  }

  peer(worker: number, delivered: number): void {
    this.#peers.set(worker, delivered);
    if (this.#phase === "flood" && this.#driver) this.#pump();
  }

  mark(): void {
    this.#counting = true;
    this.#delivered = 0;
    this.#hist.reset();
    this.#markAt = performance.now();
  }

  stop(): void {
    const seconds = (performance.now() - this.#markAt) / 1000;
    this.#counting = false;
    this.#phase = "idle";
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const c of this.#clients) c.pending = 0;
    emit({
      ev: "result",
      delivered: this.#delivered,
      seconds,
      sent: this.#sent,
      closed: this.#closed,
      hist: this.#hist.toSparse(),
    });
  }

  #keepAlive(): void {
    const text = this.#dialect.keepAlive;
    if (text === null) return;
    for (const c of this.#clients) {
      if (this.#hs.ready[c.tag] && !c.closed) c.sendText(text);
    }
  }

  exit(): void {
    for (const c of this.#clients) c.close();
    Deno.exit(0);
  }
}

function emit(event: Record<string, unknown>): void {
  console.log(JSON.stringify(event));
}

async function main(): Promise<void> {
  const worker = new LoadWorker();
  emit({ ev: "hello", pid: Deno.pid });
  for await (const line of readLines(Deno.stdin.readable)) {
    const cmd = JSON.parse(line) as Command;
    switch (cmd.op) {
      case "connect":
        worker.connect(cmd).catch((e) =>
          emit({ ev: "error", message: String(e) })
        );
        break;
      case "start":
        worker.start(cmd);
        break;
      case "mark":
        worker.mark();
        break;
      case "stop":
        worker.stop();
        break;
      case "peer":
        worker.peer(cmd.worker, cmd.delivered);
        break;
      case "exit":
        worker.exit();
    }
  }
  worker.exit();
}

if (import.meta.main) await main();
