/**
 * A server in a process of its own (`deno run -A <script>`, or a deno.json
 * task), for tests of several hub processes sharing a Redis backplane, of
 * graceful shutdown, of the start task's permissions and of a restart as a
 * browser sees it (stopped and started again on the same port). The script
 * logs the `server.listening` event with its URL as a JSON line (or, for a
 * Fresh-style app, `App.listen`'s "Listening on" line); the process is
 * stopped by PID.
 *
 * @module
 */

import { readLines } from "./line_channel.ts";

const root = new URL("../../", import.meta.url);

/** Keeps the last lines of the child's log for failure messages. */
const LOG_LINES = 200;

/** A free loopback port, picked by the OS. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** How `AppProcess.start` runs its script. */
export interface StartOptions {
  /**
   * With the `deno run` flags of deno.json's `start` task (what main.ts
   * gets under `deno task start` without KV_PATH) instead of `-A`. The
   * script runs directly, so SIGKILL reaches the server itself.
   */
  readonly startTaskFlags?: boolean;
  /** Working folder (an app's root). Default the repository. */
  readonly cwd?: URL;
  /** The `deno` binary to run it with. Default this one. */
  readonly deno?: string;
}

/** The `deno run` flags of the `start` task's command in deno.json. */
async function startTaskFlags(): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  );
  const words = String(config.tasks.start).split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
}

/** One server process. */
export class AppProcess {
  readonly url: string;
  readonly #child: Deno.ChildProcess;
  readonly #log: string[];
  readonly #drained: Promise<void>;
  #stopped: Promise<Deno.CommandStatus> | undefined;

  private constructor(
    url: string,
    child: Deno.ChildProcess,
    log: string[],
    drained: Promise<void>,
  ) {
    this.url = url;
    this.#child = child;
    this.#log = log;
    this.#drained = drained;
  }

  /**
   * Runs `script` (a path from the repo root, e.g. `main.ts`) with `env`
   * added to this process's environment, under `options.deno` (default:
   * this one); resolves with its URL once it listens, or rejects with its log
   * if it exits first.
   */
  static async start(
    script: string,
    env: Record<string, string> = {},
    options: StartOptions = {},
  ): Promise<AppProcess> {
    const flags = options.startTaskFlags ? await startTaskFlags() : ["-A"];
    // The repository's import map also serves fixture apps elsewhere.
    const config = `--config=${new URL("deno.json", root).pathname}`;
    return await AppProcess.#spawn(
      ["run", ...flags, config, script],
      script,
      env,
      options,
    );
  }

  /**
   * Runs `deno task <task>` (e.g. `start`, with exactly the permissions
   * deno.json gives it), like `start` otherwise.
   */
  static startTask(
    task: string,
    env: Record<string, string>,
  ): Promise<AppProcess> {
    return AppProcess.#spawn(["task", task], `deno task ${task}`, env);
  }

  static async #spawn(
    args: string[],
    script: string,
    env: Record<string, string>,
    options: Pick<StartOptions, "cwd" | "deno"> = {},
  ): Promise<AppProcess> {
    const child = new Deno.Command(options.deno ?? Deno.execPath(), {
      args,
      cwd: options.cwd ?? root,
      env: { HOSTNAME: "127.0.0.1", PORT: "0", NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log: string[] = [];
    const listening = Promise.withResolvers<string>();
    const drained = (async () => {
      for await (const line of readLines(child.stderr)) {
        log.push(line);
        if (log.length > LOG_LINES) log.shift();
        const url = listeningUrl(line);
        if (url) listening.resolve(url);
      }
    })();
    const exited = child.status.then((status) => {
      throw new Error(
        `${script} exited (code ${status.code}) before listening:\n` +
          log.join("\n"),
      );
    });
    try {
      const url = await Promise.race([listening.promise, exited]);
      exited.catch(() => {});
      return new AppProcess(url, child, log, drained);
    } catch (error) {
      await drained;
      throw error;
    }
  }

  /** The PID, to stop it. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The child's recent log lines. */
  get log(): readonly string[] {
    return this.#log;
  }

  /**
   * Sends `name` (SIGTERM: graceful shutdown), then SIGKILL if still alive
   * after `graceMs`; resolves with the exit status once the process is
   * gone and its pipe drained. Later calls get the first call's result.
   */
  stop(
    name: Deno.Signal = "SIGTERM",
    graceMs = 10_000,
  ): Promise<Deno.CommandStatus> {
    return this.#stopped ??= this.#stop(name, graceMs);
  }

  async #stop(name: Deno.Signal, graceMs: number): Promise<Deno.CommandStatus> {
    signal(this.#child, name);
    const timer = setTimeout(() => signal(this.#child, "SIGKILL"), graceMs);
    try {
      const status = await this.#child.status;
      await this.#drained;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // Already gone.
  }
}

/** The URL of a `server.listening` event or of `App.listen`'s line. */
function listeningUrl(line: string): string | undefined {
  const said = /^Listening on (http:\/\/\S+?)\/?$/.exec(line);
  if (said) return said[1];
  if (!line.includes("server.listening")) return undefined;
  try {
    const event = JSON.parse(line);
    return typeof event.url === "string" ? event.url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app (main.ts) with the start task's permissions on 127.0.0.1:`port`;
 * resolves once it listens.
 */
export function startAppProcess(port: number): Promise<AppProcess> {
  return AppProcess.start("main.ts", { PORT: String(port) }, {
    startTaskFlags: true,
  });
}
