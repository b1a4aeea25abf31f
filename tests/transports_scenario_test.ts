/**
 * The article's scenario with the official client on every transport ×
 * protocol pair it supports: WebSockets, SSE and long polling with JSON;
 * WebSockets and long polling with MessagePack (SSE cannot carry binary).
 */

import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { assertEquals, assertRejects } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import {
  collect,
  connect,
  nextEvent,
  signalR,
  transportPairs,
} from "./helpers/signalr_client.ts";

const { HttpTransportType } = signalR;

type Series = { label: string; data: number[] }[];

for (const [name, transport, msgpack] of transportPairs) {
  Deno.test(`scenario over ${name}: only the caller gets broadcastchartdata`, async () => {
    const app = await startTestServer({ feedIntervalMs: 100 });
    const options = () => ({
      transport,
      protocol: msgpack ? new MessagePackHubProtocol() : undefined,
    });
    const a = await connect(app.url, "/chart", options());
    const b = await connect(app.url, "/chart", options());
    try {
      const idA = await a.invoke<string>("GetConnectionId");
      assertEquals(idA, a.connectionId);
      const seenB = collect(b, "broadcastchartdata");
      const feed = await nextEvent<Series>(a, "transferchartdata");
      assertEquals(feed.map((s) => s.label), [
        "Data1",
        "Data2",
        "Data3",
        "Data4",
      ]);
      const payload = [{ data: [1, 2, 3], label: "Mine" }];
      const reply = nextEvent(a, "broadcastchartdata");
      await a.invoke("BroadcastChartData", payload, idA);
      assertEquals(await reply, payload);
      // B keeps receiving the feed but never A's private reply.
      await nextEvent(b, "transferchartdata");
      assertEquals(seenB.length, 0);
    } finally {
      await a.stop();
      await b.stop();
      await app.close();
    }
    assertEquals(app.hub.sizes().store, 0);
  });
}

Deno.test("MessagePack cannot use Server-Sent Events: the client finds no transport", async () => {
  const app = await startTestServer({ feedIntervalMs: 60_000 });
  try {
    await assertRejects(
      () =>
        connect(app.url, "/chart", {
          transport: HttpTransportType.ServerSentEvents,
          protocol: new MessagePackHubProtocol(),
        }),
      /ServerSentEvents.*does not support Binary/,
    );
  } finally {
    await app.close();
  }
});

Deno.test("negotiate lists WebSockets, SSE (text only) and long polling", async () => {
  const app = await startTestServer({ feedIntervalMs: 60_000 });
  try {
    const res = await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    const body = await res.json();
    assertEquals(body.availableTransports, [
      { transport: "WebSockets", transferFormats: ["Text", "Binary"] },
      { transport: "ServerSentEvents", transferFormats: ["Text"] },
      { transport: "LongPolling", transferFormats: ["Text", "Binary"] },
    ]);
  } finally {
    await app.close();
  }
});
