/**
 * Limits against abuse, each with its default and what happens past it:
 * messages per second, invocations in flight, connections per node and
 * per address, and the handshake deadline.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { buildConnection, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { defaultHubOptions } from "../hub/mod.ts";

const RS = "\x1e";
const PING = `{"type":6}${RS}`;

function client(url: string): signalR.HubConnection {
  return buildConnection(url, "/hub", {
    transport: signalR.HttpTransportType.WebSockets,
  });
}

async function negotiate(url: string): Promise<Response> {
  const response = await fetch(`${url}/hub/negotiate?negotiateVersion=1`, {
    method: "POST",
  });
  await response.body?.cancel();
  return response;
}

Deno.test("the defaults are the documented ones", () => {
  assertEquals(defaultHubOptions.messagesPerSecond, 1_000);
  assertEquals(defaultHubOptions.maxPendingInvocationBytes, 1024 * 1024);
  assertEquals(defaultHubOptions.framesPerSecond, 1_000);
  assertEquals(defaultHubOptions.bytesPerSecond, 4 * 1024 * 1024);
  assertEquals(defaultHubOptions.minNegotiateVersion, 1);
  assertEquals(defaultHubOptions.maxConnections, 20_000);
  assertEquals(defaultHubOptions.maxConnectionsPerAddress, 1_000);
  assertEquals(defaultHubOptions.handshakeTimeoutMs, 15_000);
  assertEquals(defaultHubOptions.statefulReconnectBufferBytes, 100_000);
  assertEquals(defaultHubOptions.statefulReconnectWindowMs, 15_000);
});

Deno.test("a connection sending more messages per second than allowed is closed", async () => {
  const app = await startFaultHub({ messagesPerSecond: 10 });
  const raw = await RawClient.connected(`${app.url}/hub`);
  try {
    // One frame of 50 pings: five seconds' worth at once.
    raw.send(`{"type":6}${RS}`.repeat(50));
    const close = await raw.next((r) => r.type === 7);
    assertEquals(
      close.error,
      "Connection closed: more than 10 messages per second.",
    );
    assertEquals(close.allowReconnect, undefined);
    await raw.closed;
    const dropped = await app.metric("switchboard_messages_dropped_total");
    assertOk(dropped >= 50, `dropped ${dropped}`);
  } finally {
    await raw.close();
    await app.close();
  }
});

for (
  const [shape, frames] of [
    ["one call per frame", (call: string) => [call + RS]],
    // The call's body in one frame, its separator alone in the next: each
    // call is still charged in full.
    ["split before its separator", (call: string) => [call, RS]],
    // The call padded with pings in one frame.
    ["padded with pings", (call: string) => [call + RS + PING.repeat(50)]],
  ] as const
) {
  Deno.test(`calls past the pending-invocation bytes close the connection, each sent ${shape}`, async () => {
    const app = await startFaultHub({
      maxParallelInvocations: 1,
      maxPendingInvocationBytes: 400,
    });
    const raw = await RawClient.connected(`${app.url}/hub`);
    try {
      raw.sendMessage({
        type: 1,
        invocationId: "1",
        target: "Hold",
        arguments: [],
      });
      await waitUntil(() => app.holding() === 1, "the first call to run");
      // Ten calls of about 150 bytes each wait behind Hold: 1,500 > 400.
      const call = JSON.stringify({
        type: 1,
        target: "Echo",
        arguments: ["x".repeat(100)],
      });
      for (let i = 0; i < 10; i++) {
        for (const frame of frames(call)) raw.send(frame);
      }
      const close = await raw.next((r) => r.type === 7);
      assertEquals(
        close.error,
        "Connection closed: more than 400 bytes of invocations waiting to run.",
      );
      assertEquals(close.allowReconnect, undefined);
      await raw.closed;
      const dropped = await app.metric("switchboard_messages_dropped_total");
      // The calls that were waiting (never run) are counted as dropped.
      assertOk(dropped >= 1, `dropped ${dropped}`);
    } finally {
      await raw.close();
      await app.close();
    }
  });
}

Deno.test("calls under the pending-invocation bytes all complete in order", async () => {
  const app = await startFaultHub({
    maxParallelInvocations: 1,
    maxPendingInvocationBytes: 4_000,
  });
  const c = client(app.url);
  await c.start();
  try {
    const running = c.invoke("Hold");
    await waitUntil(() => app.holding() === 1, "the first call to run");
    // Far more than the old count bound of 64 would have let wait.
    const queued = Array.from({ length: 40 }, (_, i) => c.invoke("Echo", i));
    app.release();
    assertEquals(await running, "released");
    assertEquals(
      await Promise.all(queued),
      Array.from({ length: 40 }, (_, i) => i),
    );
  } finally {
    await c.stop();
    await app.close();
  }
});

Deno.test("a full node answers 503 to negotiate and to a direct WebSocket", async () => {
  const app = await startFaultHub({ maxConnections: 2 });
  try {
    assertEquals((await negotiate(app.url)).status, 200);
    assertEquals((await negotiate(app.url)).status, 200);
    assertEquals((await negotiate(app.url)).status, 503);
    const refused = await RawClient.open(`${app.url}/hub`).then(
      () => "opened",
      () => "refused",
    );
    assertEquals(refused, "refused");
    assertOk(
      (await app.metrics()).includes("switchboard_connections_refused_total 2"),
    );
  } finally {
    await app.close();
  }
});

Deno.test("one address may hold only so many connections; slots come back", async () => {
  const app = await startFaultHub({ maxConnectionsPerAddress: 2 });
  const a = client(app.url);
  const b = client(app.url);
  await a.start();
  await b.start();
  try {
    assertEquals((await negotiate(app.url)).status, 429);
    await a.stop();
    await waitUntil(() => app.hub.sizes().store === 1, "a's cleanup");
    assertEquals((await negotiate(app.url)).status, 200);
  } finally {
    await a.stop();
    await b.stop();
    await app.close();
  }
});

Deno.test("a socket that never sends its handshake is closed at the deadline", async () => {
  const app = await startFaultHub({ handshakeTimeoutMs: 200 });
  const raw = await RawClient.open(`${app.url}/hub`);
  try {
    const answer = await raw.next(() => true);
    assertEquals(answer, { error: "Handshake was not completed in time." });
    await raw.closed;
    await waitUntil(() => app.hub.sizes().store === 0, "cleanup");
  } finally {
    await raw.close();
    await app.close();
  }
});
