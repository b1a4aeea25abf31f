/**
 * Graceful shutdown of the real app process: on SIGTERM (and SIGINT) it
 * stops accepting, tells every client to reconnect (Close with
 * `allowReconnect`), drains, and exits 0. Official clients with automatic
 * reconnect come back on their own once a new process holds the port.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { buildConnection, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { freePort } from "../web/testing/app_process.ts";
import { AppProcess } from "./helpers/app_process.ts";
import { TcpProxy } from "./helpers/tcp_proxy.ts";

interface Watched {
  connection: signalR.HubConnection;
  reconnecting: (Error | undefined)[];
  reconnected: (string | undefined)[];
  feed: number;
  closed: boolean;
}

async function watchedClient(url: string): Promise<Watched> {
  // Not stateful: on Deno 2.5 the official client never reports its
  // socket retry being refused (503 while draining) and hangs.
  const connection = buildConnection(url, "/chart", {
    transport: signalR.HttpTransportType.WebSockets,
    // Retry every 200 ms for up to 60 s: long enough for a new process.
    reconnect: {
      nextRetryDelayInMilliseconds: (ctx) =>
        ctx.elapsedMilliseconds < 60_000 ? 200 : null,
    },
  });
  const w: Watched = {
    connection,
    reconnecting: [],
    reconnected: [],
    feed: 0,
    closed: false,
  };
  connection.on("transferchartdata", () => {
    w.feed++;
  });
  connection.onreconnecting((e) => w.reconnecting.push(e));
  connection.onreconnected((id) => w.reconnected.push(id));
  connection.onclose(() => w.closed = true);
  await connection.start();
  return w;
}

Deno.test("SIGTERM drains and exits; clients reconnect to the next process on the port", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), KV_PATH: ":memory:" };
  let first: AppProcess | undefined;
  let second: AppProcess | undefined;
  const clients: Watched[] = [];
  try {
    first = await AppProcess.start("main.ts", env);
    for (let i = 0; i < 3; i++) clients.push(await watchedClient(url));
    const ids = clients.map((c) => c.connection.connectionId);

    // The bound only keeps a hung process from hanging the suite.
    const status = await first.stop("SIGTERM", 30_000);
    assertEquals(status.code, 0, first.log.join("\n"));
    assertOk(first.log.some((l) => l.includes("server.listening")));
    // Told to come back, not dropped: the Close carried allowReconnect.
    for (const c of clients) {
      await waitUntil(() => c.reconnecting.length > 0, "onreconnecting");
      assertEquals(
        c.reconnecting[0]?.message,
        "Server returned an error on close: Server is shutting down.",
      );
    }

    second = await AppProcess.start("main.ts", env);
    for (const c of clients) {
      await waitUntil(() => c.reconnected.length > 0, "onreconnected", 30_000);
      const before = c.feed;
      await waitUntil(() => c.feed > before, "the new process's feed", 10_000);
      assertEquals(c.closed, false);
    }
    // A reconnect without stateful reconnect is a new connection.
    const now = clients.map((c) => c.connection.connectionId);
    for (let i = 0; i < ids.length; i++) assertOk(now[i] !== ids[i]);

    for (const c of clients) await c.connection.stop();
    const again = await second.stop("SIGINT", 30_000);
    assertEquals(again.code, 0, second.log.join("\n"));
  } finally {
    for (const c of clients) await c.connection.stop();
    await first?.stop("SIGKILL");
    await second?.stop("SIGKILL");
  }
});

Deno.test("SIGINT with a client that never reads exits cleanly inside Deno Deploy's 5 s", async () => {
  const port = freePort();
  const app = await AppProcess.start("main.ts", {
    PORT: String(port),
    KV_PATH: ":memory:",
  });
  const proxy = TcpProxy.start({ hostname: "127.0.0.1", port });
  const stuck = buildConnection(`http://127.0.0.1:${proxy.port}`, "/chart", {
    transport: signalR.HttpTransportType.WebSockets,
  });
  try {
    await stuck.start();
    // The server's Close (and anything else) never reaches the client, and
    // the client never answers the close handshake: only the drain
    // deadline can let this connection go.
    proxy.pause("down");
    proxy.pause("up");
    // Exit status 1 would mean main.ts's 4.5 s exit deadline had to fire;
    // 0 means the 3 s drain and the rest of the exit fitted before it.
    const status = await app.stop("SIGINT", 30_000);
    assertEquals(status.code, 0, app.log.join("\n"));
  } finally {
    proxy.resume("down");
    proxy.resume("up");
    await stuck.stop().catch(() => {});
    await proxy.close();
    await app.stop("SIGKILL");
  }
});
