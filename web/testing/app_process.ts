/**
 * The real app as a child process, started with exactly the flags of
 * `deno task start`, so a test can kill it and start it again on the same
 * port (a server restart as a browser sees it).
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** A free loopback port, picked by the OS. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The `deno run` flags of the `start` task in deno.json. */
async function startFlags(): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  const words = String(config.tasks.start).split(/\s+/);
  const run = words.indexOf("run");
  return words.slice(run + 1, words.indexOf("main.ts"));
}

/** A running app process. */
export interface AppProcess {
  readonly url: string;
  /** Stops it with `signal` and waits for it to exit. */
  stop(signal?: Deno.Signal): Promise<void>;
}

/** Starts main.ts on 127.0.0.1:`port` and waits until /healthz answers. */
export async function startAppProcess(port: number): Promise<AppProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await startFlags(), "main.ts"],
    cwd: ROOT.pathname,
    env: { PORT: String(port), HOSTNAME: "127.0.0.1", LOG_LEVEL: "warn" },
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    if (exited) return;
    child.kill(signal);
    // A graceful stop that never ends would hang the suite: bound it, then
    // kill and fail loudly (Deno Deploy likewise kills 5 s after SIGINT).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([status, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      child.kill("SIGKILL");
      await status;
      throw new Error(
        `The app did not exit within ${STOP_GRACE_MS} ms of ${signal}`,
      );
    }
  };
  try {
    await waitForHealth(url, () => exited);
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return { url, stop };
}

/** How long a stopped app may take to exit before it is killed. */
const STOP_GRACE_MS = 15_000;

/** Most /healthz polls before giving up (about 60 s at 100 ms apart). */
const MAX_POLLS = 600;

async function waitForHealth(
  url: string,
  exited: () => boolean,
): Promise<void> {
  for (let i = 0; i < MAX_POLLS && !exited(); i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The app at ${url} did not become healthy`);
}
