/**
 * Sockets that never finish a request (a slowloris) are not timed out by
 * `Deno.serve`; at the process's open-file limit its accept loop fails.
 * The app must outlive that: once the attacker lets go, the same address
 * answers again. The app runs under a small `ulimit -n` so the limit is
 * reached with a few hundred sockets.
 */

import assert from "node:assert/strict";
import { freePort } from "./helpers/app_process.ts";
import { readLines } from "./helpers/line_channel.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** The child's open-file limit: what the app needs at rest, plus a little. */
const FILE_LIMIT = 256;

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

Deno.test("the app listens again after a flood of unfinished requests exhausts its files", async () => {
  const port = freePort();
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${FILE_LIMIT} && exec "$DENO" run -A main.ts`,
    ],
    cwd: new URL("../", import.meta.url),
    env: {
      DENO: Deno.execPath(),
      HOSTNAME: "127.0.0.1",
      PORT: String(port),
      KV_PATH: ":memory:",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const drained = (async () => {
    for await (const line of readLines(child.stderr)) log.push(line);
  })();
  const stalled: Deno.Conn[] = [];
  try {
    await waitUntil(() => healthy(port), "the app to listen", 60_000);
    const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\nX: ");
    // Until the server stops accepting (its limit), at most twice the limit.
    for (let i = 0; i < FILE_LIMIT * 2; i++) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        stalled.push(conn);
        await conn.write(head);
      } catch {
        break;
      }
    }
    await waitUntil(
      () => log.some((l) => l.includes("server.accept_failed")),
      "the accept loop to fail at the file limit",
    );
    for (const conn of stalled.splice(0)) conn.close();
    await waitUntil(
      () => log.some((l) => l.includes("server.listening_again")),
      "the app to listen again",
      30_000,
    );
    assert.ok(await healthy(port), "the app answers on the same port");
    assert.equal(
      await Promise.race([child.status.then(() => "exited"), "running"]),
      "running",
    );
  } finally {
    for (const conn of stalled) conn.close();
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone: the failure the assertions above report.
    }
    await child.status;
    await drained;
  }
});
