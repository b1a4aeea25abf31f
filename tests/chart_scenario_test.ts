import { assertEquals } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { collect, connect, nextEvent } from "./helpers/signalr_client.ts";

Deno.test("the article's two-client scenario: only the caller gets broadcastchartdata", async () => {
  const app = await startTestServer({ feedIntervalMs: 100 });
  const a = await connect(app.url);
  const b = await connect(app.url);
  try {
    const idA = await a.invoke<string>("GetConnectionId");
    const idB = await b.invoke<string>("getconnectionid");
    assertEquals(idA, a.connectionId);
    assertEquals(idB, b.connectionId);
    const seenB = collect(b, "broadcastchartdata");
    const feedA = await nextEvent<{ label: string; data: number[] }[]>(
      a,
      "transferchartdata",
    );
    assertEquals(feedA.map((s) => s.label), [
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
});
