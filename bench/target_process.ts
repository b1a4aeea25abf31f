/**
 * Starts one benchmark target as a child process on an ephemeral loopback
 * port and stops it by PID. Each target prints `LISTENING <port>` when
 * ready and serves `GET /gc`, which collects garbage and answers
 * `{"heapUsed": bytes}`, so the runner reads RSS and heap after a GC
 * (every target runs with `--expose-gc`).
 *
 * @module
 */

import { readLines } from "../tests/helpers/line_channel.ts";

/** The targets of the comparison, in table order. */
export type TargetName = "raw" | "minimal" | "socketio" | "switchboard";

/** Lines of target output kept for error reports (overflow: oldest dropped). */
const TAIL_LINES = 20;
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;

/** A running target. */
export class TargetProcess {
  readonly #child: Deno.ChildProcess;
  readonly #tail: string[] = [];

  private constructor(
    readonly name: TargetName,
    child: Deno.ChildProcess,
    readonly port: number,
  ) {
    this.#child = child;
  }

  /** Spawns `name` (the Socket.IO bundle must exist at `socketioBundle`). */
  static async start(
    name: TargetName,
    socketioBundle: string,
  ): Promise<TargetProcess> {
    const child = new Deno.Command(commandFor(name, socketioBundle)[0], {
      args: commandFor(name, socketioBundle).slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const tail: string[] = [];
    drain(child.stderr, tail);
    const lines = readLines(child.stdout);
    const port = await waitForPort(lines, tail, child);
    const target = new TargetProcess(name, child, port);
    target.#tail.push(...tail);
    drainIterator(lines, target.#tail);
    return target;
  }

  /** Process id, for /proc reads. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The last lines the target printed. */
  get tail(): string {
    return this.#tail.slice(-TAIL_LINES).join("\n");
  }

  /** Asks the target to collect garbage; resolves to its JS heap bytes in use after it. */
  async gc(): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.port}/gc`);
    const body = await response.json() as { heapUsed: number };
    return body.heapUsed;
  }

  /** SIGTERM by PID, then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      return; // already exited
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // exited in the meantime
      }
    }, STOP_GRACE_MS);
    await this.#child.status;
    clearTimeout(timer);
  }
}

/**
 * Extra runtime flags from BENCH_PROFILE_DIR: V8 CPU profiles of every
 * target, written when it exits (that is how the hot spots are found).
 */
export function profileFlags(): string[] {
  const dir = Deno.env.get("BENCH_PROFILE_DIR");
  if (!dir) return [];
  // BENCH_PROFILE_INTERVAL_US: a finer sampling interval (V8's default is
  // 1000 µs), for phases too short to give enough samples.
  const interval = Deno.env.get("BENCH_PROFILE_INTERVAL_US");
  return [
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
    ...(interval ? [`--cpu-prof-interval=${interval}`] : []),
  ];
}

function commandFor(name: TargetName, socketioBundle: string): string[] {
  const deno = Deno.execPath();
  const file = (f: string) => new URL(f, import.meta.url).pathname;
  const denoFlags = [
    "run",
    "--allow-net=127.0.0.1",
    "--v8-flags=--expose-gc",
    ...profileFlags(),
  ];
  switch (name) {
    case "raw":
      return [deno, ...denoFlags, file("./raw_server.ts")];
    case "minimal":
      return [deno, ...denoFlags, file("./minimal_signalr_server.ts")];
    case "switchboard":
      return [
        deno,
        ...denoFlags,
        "--allow-env",
        "--allow-read",
        file("./switchboard_server.ts"),
      ];
    case "socketio":
      return ["node", "--expose-gc", ...profileFlags(), socketioBundle];
  }
}

async function waitForPort(
  lines: AsyncGenerator<string>,
  tail: string[],
  child: Deno.ChildProcess,
): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("Target did not start")),
      START_TIMEOUT_MS,
    );
  });
  const found = (async () => {
    for await (const line of lines) {
      const match = line.match(/^LISTENING (\d+)/);
      if (match) return Number(match[1]);
      keep(tail, line);
    }
    throw new Error("Target exited before listening");
  })();
  try {
    return await Promise.race([found, timeout]);
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    throw new Error(`${(error as Error).message}\n${tail.join("\n")}`);
  } finally {
    clearTimeout(timer);
  }
}

function keep(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

async function drain(
  stream: ReadableStream<Uint8Array>,
  tail: string[],
): Promise<void> {
  try {
    for await (const line of readLines(stream)) keep(tail, line);
  } catch {
    // The child died; its tail is what we have.
  }
}

async function drainIterator(
  lines: AsyncGenerator<string>,
  tail: string[],
): Promise<void> {
  try {
    for await (const line of lines) keep(tail, line);
  } catch {
    // as above
  }
}
