/**
 * The chart contract's limits through the official client: the largest
 * valid payload fits the message limit; anything else is a hub error.
 */
import { assertEquals, assertRejects } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { connect, nextEvent } from "./helpers/signalr_client.ts";

Deno.test("chart: the largest valid payload is accepted and delivered", async () => {
  const app = await startTestServer();
  const c = await connect(app.url);
  try {
    const id = await c.invoke<string>("GetConnectionId");
    const big = Array.from({ length: 16 }, (_, s) => ({
      data: Array.from({ length: 1000 }, (_, i) => (i * 7 + s) % 100),
      label: `Series${s}`,
    }));
    const reply = nextEvent(c, "broadcastchartdata");
    await c.invoke("BroadcastChartData", big, id);
    assertEquals(await reply, big);
  } finally {
    await c.stop();
    await app.close();
  }
});

Deno.test("chart: data outside the limits is refused with a hub error", async () => {
  const app = await startTestServer();
  const c = await connect(app.url);
  try {
    const id = await c.invoke<string>("GetConnectionId");
    const series = (n: number) => ({ data: Array(n).fill(1), label: "x" });
    const cases: [unknown, RegExp][] = [
      ["nope", /must be an array of series/],
      [Array(17).fill(series(1)), /at most 16 series/],
      [[series(1001)], /at most 1000 numbers/],
      [[{ data: ["1"], label: "x" }], /finite numbers only/],
      [[{ data: [1] }], /needs a label/],
      [[null], /must be an object/],
    ];
    for (const [data, pattern] of cases) {
      await assertRejects(
        () => c.invoke("BroadcastChartData", data, id),
        pattern,
      );
    }
    await assertRejects(
      () => c.invoke("BroadcastToConnection", 42, id),
      /The message must be a string/,
    );
    await assertRejects(
      () => c.invoke("AddToGroup", "x".repeat(257)),
      /at most 256 characters/,
    );
    await assertRejects(
      () => c.invoke("BroadcastToUser", "hi", "alice"),
      /Sign in/,
    );
  } finally {
    await c.stop();
    await app.close();
  }
});

Deno.test("chart: groups and direct messages follow the article's texts", async () => {
  const app = await startTestServer();
  const a = await connect(app.url);
  const b = await connect(app.url);
  try {
    const idA = await a.invoke<string>("GetConnectionId");
    await a.invoke("AddToGroup", "fans");
    await b.invoke("AddToGroup", "fans");
    const toB = nextEvent(b, "broadcasttogroup");
    await a.invoke("BroadcastToGroup", "fans");
    assertEquals(await toB, `${idA} has joined the group fans.`);
    const direct = nextEvent(a, "broadcasttoclient");
    await b.invoke("BroadcastToConnection", "hello a", idA);
    assertEquals(await direct, "hello a");
    await b.invoke("RemoveFromGroup", "fans");
    assertEquals(app.hub.sizes().groups, 1);
  } finally {
    await a.stop();
    await b.stop();
    await app.close();
  }
});
