/**
 * A real `redis-server` for tests: started on a free loopback port with
 * nothing persisted, stopped by PID, restartable on the same port so tests
 * can kill Redis mid-run and bring it back.
 *
 * @module
 */

import { readLines } from "./line_channel.ts";
import { freePort } from "./app_process.ts";

/** Where the binary is; `REDIS_SERVER` overrides for odd installs. */
export const redisServerPath = Deno.env.get("REDIS_SERVER") ??
  "/usr/bin/redis-server";

function binaryExists(): boolean {
  try {
    return Deno.statSync(redisServerPath).isFile;
  } catch {
    return false;
  }
}

/**
 * True when Redis tests must be skipped: the binary is missing and this is
 * not CI (in CI a missing binary fails the tests instead).
 */
export const skipRedis: boolean = !binaryExists() &&
  Deno.env.get("CI") !== "true";

if (skipRedis) {
  console.warn(
    `skipping Redis tests: ${redisServerPath} not found (apt-get install redis-server)`,
  );
}

/**
 * `socketTimeoutMs` for backplanes inside test processes: off on Deno 2.5,
 * whose node:net re-arms a socket's idle timer on a read that lands after
 * destroy, so the timer outlives the test and trips the leak sanitizer
 * (harmless outside tests; fixed in 2.9). Elsewhere the default.
 */
export const testSocketTimeoutMs: number | undefined =
  Deno.version.deno.startsWith("2.5.") ? 0 : undefined;

/** Options of a test Redis. */
export interface RedisServerOptions {
  /** Sets `requirepass`, to test URLs with a password. */
  password?: string;
  /**
   * More arguments, from the port the server gets; called once per
   * server, so a restart reuses them (a cluster node keeps its bus port).
   */
  args?: (port: number) => string[];
}

/** One `redis-server` child process. */
export class RedisServer {
  readonly port: number;
  readonly #password: string | undefined;
  readonly #args: readonly string[];
  #child: Deno.ChildProcess | undefined;
  #drain: Promise<void> | undefined;

  private constructor(port: number, options: RedisServerOptions) {
    this.port = port;
    this.#password = options.password;
    this.#args = options.args?.(port) ?? [];
  }

  /** Starts a server on a free port and resolves once it accepts clients. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    let lastError: unknown;
    // A free port can be taken between probing and binding; try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(freePort(), options);
      try {
        await server.restart();
        return server;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** `redis://[:password@]127.0.0.1:<port>` */
  get url(): string {
    const auth = this.#password
      ? `:${encodeURIComponent(this.#password)}@`
      : "";
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  /** The PID while running. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** (Re)starts on the same port; resolves when it is ready. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("redis-server is already running");
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--logfile",
      "",
    ];
    if (this.#password) {
      // masterauth too: a cluster replica authenticates to its master.
      args.push("--requirepass", this.#password);
      args.push("--masterauth", this.#password);
    }
    args.push(...this.#args);
    const child = new Deno.Command(redisServerPath, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#child = child;
    const ready = Promise.withResolvers<void>();
    this.#drain = drain(child.stdout, ready.resolve);
    const exited = child.status.then((s) => {
      throw new Error(`redis-server exited early (code ${s.code})`);
    });
    try {
      await Promise.race([ready.promise, exited]);
    } catch (error) {
      await this.stop();
      throw error;
    }
    exited.catch(() => {});
  }

  /** Freezes the process (SIGSTOP): a hung Redis that sends no RST. */
  pause(): void {
    this.#child?.kill("SIGSTOP");
  }

  /** Thaws a paused process (SIGCONT). */
  resume(): void {
    this.#child?.kill("SIGCONT");
  }

  /** Kills the process by PID (SIGKILL: an abrupt outage) and waits. */
  kill(): Promise<void> {
    return this.#end("SIGKILL");
  }

  /** Stops the process by PID (SIGTERM) and waits. */
  stop(): Promise<void> {
    return this.#end("SIGTERM");
  }

  async #end(signal: Deno.Signal): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill(signal);
      child.kill("SIGCONT"); // a paused process acts on the signal only awake
    } catch {
      // Already exited.
    }
    await child.status;
    await this.#drain;
  }
}

/** Reads the log until the end, signalling when Redis is ready. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  onReady: () => void,
): Promise<void> {
  for await (const line of readLines(stream)) {
    if (line.includes("Ready to accept connections")) onReady();
  }
}
