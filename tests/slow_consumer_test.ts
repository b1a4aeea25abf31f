/**
 * Slow consumers: a client that stops reading (its proxy leg paused, so
 * real socket buffers fill) is closed with a reconnect-allowed Close and
 * counted, while a well-behaved client receives every broadcast.
 */

import { assertEquals } from "./helpers/assert.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { TcpProxy } from "./helpers/tcp_proxy.ts";
import { buildConnection, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const ROUND = 4;
const SIZE = 32 * 1024;
/** Far more than socket buffers on loopback plus the queue bound hold. */
const MAX_ROUNDS = 400;

function client(url: string): signalR.HubConnection {
  return buildConnection(url, "/hub", {
    transport: signalR.HttpTransportType.WebSockets,
  });
}

Deno.test("a reader that stopped is closed and counted; a good reader gets everything", async () => {
  const app = await startFaultHub({ maxQueuedBytes: 256 * 1024 });
  const proxy = TcpProxy.start(app.url);
  const slow = await RawClient.connected(`${proxy.url}/hub`);
  const good = client(app.url);
  const seen: number[] = [];
  good.on("flood", (n: number) => {
    seen.push(n);
  });
  await good.start();
  try {
    proxy.pause("down");
    const slowCloses = () =>
      app.metric("switchboard_slow_consumer_closes_total");
    let rounds = 0;
    // Each round waits for the good client, so only the slow one lags.
    while ((await slowCloses()) === 0 && rounds < MAX_ROUNDS) {
      await good.invoke("Flood", ROUND, SIZE);
      rounds++;
      await waitUntil(() => seen.length === rounds * ROUND, "the good client");
    }
    assertEquals(await slowCloses(), 1);
    // The good client missed nothing and saw everything once, in order.
    for (let i = 0; i < seen.length; i++) {
      assertEquals(seen[i], (i % ROUND) + 1);
    }
    assertEquals(seen.length, rounds * ROUND);
    // Once the slow reader reads again, it finds a Close that lets it retry.
    proxy.resume("down");
    const close = await slow.next((r) => r.type === 7, 30_000);
    assertEquals(close.allowReconnect, true);
    await slow.closed;
  } finally {
    await good.stop();
    await proxy.close(); // first: a paused leg would hold the close up
    await slow.close();
    await app.close();
  }
});

Deno.test("a stateful client that stops acking overflows its replay buffer and is closed", async () => {
  const app = await startFaultHub({ statefulReconnectBufferBytes: 10_000 });
  const proxy = TcpProxy.start(app.url);
  // By hand, so the test judges the server, not a client's retry logic.
  const negotiated = await fetch(
    `${app.url}/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true`,
    { method: "POST" },
  );
  const token = (await negotiated.json()).connectionToken;
  const stuck = await RawClient.open(`${proxy.url}/hub?id=${token}`);
  stuck.send(`{"protocol":"json","version":2}\x1e`);
  assertEquals(await stuck.next(), {});
  const good = client(app.url);
  let got = 0;
  good.on("flood", () => {
    got++;
  });
  await good.start();
  try {
    proxy.pause("down");
    // 20 KB unacked: past the 10,000-byte bound, never past the queue.
    await good.invoke("Flood", 20, 1_000);
    await waitUntil(
      async () =>
        await app.metric("switchboard_slow_consumer_closes_total") === 1,
      "the stuck client to be closed",
    );
    await waitUntil(() => got === 20, "the good client's messages");
    proxy.resume("down");
    const close = await stuck.next((r) => r.type === 7);
    assertEquals(close.allowReconnect, true);
    await stuck.closed;
    await waitUntil(() => app.hub.sizes().store === 1, "cleanup");
    // It cannot resume past a gap: the old token is gone for good.
    const retry = await RawClient.open(`${app.url}/hub?id=${token}`).then(
      (raw) => raw.close().then(() => "resumed"),
      () => "refused",
    );
    assertEquals(retry, "refused");
  } finally {
    await good.stop();
    await proxy.close();
    await stuck.close();
    await app.close();
  }
});
