/**
 * Automatic reconnect after a server restart, on each transport: the app
 * runs as a real `deno run … main.ts` process on a free port, is killed,
 * and is started again on the same port; the official client with
 * `withAutomaticReconnect` comes back with a new connection that works.
 */

import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import {
  buildConnection,
  nextEvent,
  signalR,
} from "./helpers/signalr_client.ts";
import { freePort, startAppProcess } from "./helpers/app_process.ts";

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
    let app = await startAppProcess(port);
    const connection = buildConnection(`http://127.0.0.1:${port}`, "/chart", {
      transport,
      reconnect: retryPolicy,
      protocol: msgpack ? new MessagePackHubProtocol() : undefined,
    });
    const reconnecting = Promise.withResolvers<void>();
    const reconnected = Promise.withResolvers<string | undefined>();
    connection.onreconnecting(() => reconnecting.resolve());
    connection.onreconnected((id) => reconnected.resolve(id));
    try {
      await connection.start();
      const before = await connection.invoke<string>("GetConnectionId");
      assertEquals(before, connection.connectionId);
      await app.stop("SIGKILL");
      await reconnecting.promise;
      assertEquals(connection.state, signalR.HubConnectionState.Reconnecting);
      app = await startAppProcess(port);
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
      await app.stop("SIGKILL");
    }
  });
}
