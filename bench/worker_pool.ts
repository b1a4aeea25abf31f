/**
 * The load-generator processes of one scenario: spawns them, sends
 * commands, waits for their answers and relays flood progress from the
 * other workers to worker 0, which holds the driver connection.
 *
 * @module
 */

import { readLines } from "../tests/helpers/line_channel.ts";
import type { Command } from "./load_worker.ts";
import { profileFlags } from "./target_process.ts";

/** One JSON event a worker printed. */
export type WorkerEvent = { ev: string } & Record<string, unknown>;

/** Events waiting to be claimed per worker (overflow: the runner is broken, throw). */
const MAX_QUEUED_EVENTS = 1000;
const STOP_GRACE_MS = 3_000;

class WorkerHandle {
  readonly #queue: WorkerEvent[] = [];
  #wake: (() => void) | null = null;
  #ended = false;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(
    readonly index: number,
    readonly child: Deno.ChildProcess,
    relay: (from: number, event: WorkerEvent) => boolean,
  ) {
    this.#writer = child.stdin.getWriter();
    (async () => {
      try {
        for await (const line of readLines(child.stdout)) {
          const event = JSON.parse(line) as WorkerEvent;
          if (relay(index, event)) continue;
          if (this.#queue.length >= MAX_QUEUED_EVENTS) {
            throw new RangeError("Event queue full");
          }
          this.#queue.push(event);
          this.#wake?.();
        }
      } finally {
        this.#ended = true;
        this.#wake?.();
      }
    })().catch(() => {});
  }

  send(cmd: Command): Promise<void> {
    return this.#writer.write(
      new TextEncoder().encode(JSON.stringify(cmd) + "\n"),
    );
  }

  /** The next event named `ev` (others before it are discarded). */
  async next(ev: string, timeoutMs: number): Promise<WorkerEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const event = this.#queue.shift();
      if (event?.ev === ev) return event;
      if (event?.ev === "error") {
        throw new Error(`Worker ${this.index}: ${event.message}`);
      }
      if (event) continue;
      if (this.#ended) throw new Error(`Worker ${this.index} exited`);
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Error(`Worker ${this.index}: no ${ev} in ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    await this.send({ op: "exit" }).catch(() => {});
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already exited
      }
    }, STOP_GRACE_MS);
    await this.child.status;
    clearTimeout(timer);
  }
}

/** A set of load workers; worker 0 drives broadcasts. */
export class WorkerPool {
  private constructor(readonly workers: WorkerHandle[]) {}

  /** Spawns `count` workers and waits until each is listening for commands. */
  static async spawn(count: number): Promise<WorkerPool> {
    const file = new URL("./load_worker.ts", import.meta.url).pathname;
    const handles: WorkerHandle[] = [];
    const relay = (from: number, event: WorkerEvent): boolean => {
      if (event.ev !== "d") return false;
      handles[0]?.send({
        op: "peer",
        worker: from,
        delivered: event.n as number,
      })
        .catch(() => {});
      return true;
    };
    for (let i = 0; i < count; i++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net=127.0.0.1", ...profileFlags(), file],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      handles.push(new WorkerHandle(i, child, relay));
    }
    const pool = new WorkerPool(handles);
    try {
      await pool.collect("hello", 30_000);
    } catch (error) {
      await pool.stop();
      throw error;
    }
    return pool;
  }

  /** Process ids, for CPU accounting. */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid);
  }

  /** Sends `make(i)` to worker i, for every worker. */
  async sendEach(make: (index: number) => Command): Promise<void> {
    await Promise.all(this.workers.map((w) => w.send(make(w.index))));
  }

  /** The next `ev` event of every worker, in worker order. */
  collect(ev: string, timeoutMs: number): Promise<WorkerEvent[]> {
    return Promise.all(this.workers.map((w) => w.next(ev, timeoutMs)));
  }

  /** Asks every worker to exit and waits; SIGKILL after a grace period. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
