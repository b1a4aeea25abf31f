/**
 * Automatic reconnect after a server restart, on each transport: the app
 * runs as a real `deno run -A main.ts` process on a free port, is killed,
 * and is started again on the same port; the official client with
 * `withAutomaticReconnect` comes back with a new connection that works.
 */

import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { nextEvent, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const ROOT = new URL("../", import.meta.url);

/** A port that was free a moment ago (the OS hands out ephemeral ones). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts the app on `port` and waits until it answers /healthz. */
async function startApp(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      KV_PATH: ":memory:",
      LOG_LEVEL: "error",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitUntil(
    async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
    `app on port ${port}`,
    60_000,
  );
  return child;
}

async function kill(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
}

/** Retries every 100 ms for a minute: the restart takes a few seconds. */
const retryPolicy: signalR.IRetryPolicy = {
  nextRetryDelayInMilliseconds: (ctx) =>
    ctx.elapsedMilliseconds < 60_000 ? 100 : null,
};

const cases: [string, signalR.HttpTransportType, boolean][] = [
  ["WebSockets", signalR.HttpTransportType.WebSockets, false],
  ["ServerSentEvents", signalR.HttpTransportType.ServerSentEvents, false],
  ["LongPolling", signalR.HttpTransportType.LongPolling, false],
  ["LongPolling + MessagePack", signalR.HttpTransportType.LongPolling, true],
];

for (const [name, transport, msgpack] of cases) {
  Deno.test(`automatic reconnect after a server restart over ${name}`, async () => {
    const port = freePort();
    let app = await startApp(port);
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(`http://127.0.0.1:${port}/chart`, { transport })
      .withAutomaticReconnect(retryPolicy)
      .configureLogging(signalR.LogLevel.None);
    if (msgpack) {
      builder = builder.withHubProtocol(new MessagePackHubProtocol());
    }
    const connection = builder.build();
    const reconnecting = Promise.withResolvers<void>();
    const reconnected = Promise.withResolvers<string | undefined>();
    connection.onreconnecting(() => reconnecting.resolve());
    connection.onreconnected((id) => reconnected.resolve(id));
    try {
      await connection.start();
      const before = await connection.invoke<string>("GetConnectionId");
      assertEquals(before, connection.connectionId);
      await kill(app);
      await reconnecting.promise;
      assertEquals(connection.state, signalR.HubConnectionState.Reconnecting);
      app = await startApp(port);
      const after = await reconnected.promise;
      assertOk(after && after !== before, "a new connection id");
      assertEquals(await connection.invoke<string>("GetConnectionId"), after);
      const payload = [{ data: [4, 5], label: "Back" }];
      const reply = nextEvent(connection, "broadcastchartdata");
      await connection.invoke("BroadcastChartData", payload, after);
      assertEquals(await reply, payload);
      await nextEvent(connection, "transferchartdata", 10_000);
    } finally {
      await connection.stop();
      await kill(app);
    }
  });
}
