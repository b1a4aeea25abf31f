/**
 * Long polling on the wire, by hand: the first poll, parked polls, 204
 * endings, DELETE, inactivity, framing across POSTs, MessagePack bodies,
 * and the status rules of the HTTP surface.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import {
  handshake,
  invoke,
  negotiate,
  type RawHub,
  request,
  RS,
  startRawHub,
} from "./helpers/raw_hub.ts";
import { messagePackProtocol } from "../hub/mod.ts";
import type { HubMessage } from "../hub/protocol/messages.ts";

/** One long-polling client done by hand. */
class RawPoller {
  readonly url: string;
  constructor(hubUrl: string, token: string) {
    this.url = `${hubUrl}?id=${token}`;
  }
  poll() {
    return request(`${this.url}&_=${Date.now()}`);
  }
  post(body: string | Uint8Array) {
    return request(this.url, { method: "POST", body: body as BodyInit });
  }
  delete() {
    return request(this.url, { method: "DELETE" });
  }
  /** Polls until `done` says the collected text is complete. */
  async pollUntil(done: (text: string) => boolean): Promise<string> {
    let all = "";
    while (!done(all)) {
      const r = await this.poll();
      assertEquals(r.status, 200);
      all += r.text;
    }
    return all;
  }
}

/** Negotiates, takes the first poll and finishes a JSON handshake. */
async function connected(hub: RawHub, protocol = "json"): Promise<RawPoller> {
  const c = new RawPoller(hub.url, await negotiate(hub.url));
  const first = await c.poll();
  assertEquals([first.status, first.text], [200, ""]);
  assertEquals((await c.post(handshake(protocol))).status, 200);
  const reply = await c.poll();
  assertEquals([reply.status, reply.text], [200, "{}" + RS]);
  return c;
}

function records(text: string): unknown[] {
  return text.split(RS).filter(Boolean).map((r) => JSON.parse(r));
}

Deno.test("long polling: the first poll answers 200 empty at once, the next carries the handshake answer", async () => {
  const hub = await startRawHub();
  try {
    const c = await connected(hub);
    await c.post(invoke("1", "Echo", "hi"));
    const text = await c.pollUntil((t) => t.includes('"invocationId":"1"'));
    assertEquals(records(text), [{ type: 3, invocationId: "1", result: "hi" }]);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: a parked poll ends 200 empty at the poll timeout, and the server never pings", async () => {
  const hub = await startRawHub({
    pollTimeoutMs: 100,
    keepAliveIntervalMs: 50,
  });
  try {
    const c = await connected(hub);
    for (let i = 0; i < 3; i++) {
      const r = await c.poll();
      assertEquals([r.status, r.text], [200, ""]);
    }
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: messages queued between polls are kept, in order, for the next poll", async () => {
  const hub = await startRawHub();
  try {
    const c = await connected(hub);
    // No poll is parked while the burst is sent.
    await c.post(invoke("1", "Burst", 50));
    const text = await c.pollUntil((t) => t.includes('"type":3'));
    const got = records(text);
    assertEquals(got.length, 51);
    assertEquals(
      got.slice(0, 50).map((m) => (m as { arguments: number[] }).arguments[0]),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assertEquals(got[50], { type: 3, invocationId: "1" });
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: a new poll replaces a parked one, which ends with 204", async () => {
  const hub = await startRawHub({ pollTimeoutMs: 30_000 });
  try {
    const c = await connected(hub);
    const first = c.poll();
    const second = c.poll();
    // Whichever arrived first was parked and is replaced with 204.
    const ended = await Promise.race([first, second]);
    assertEquals([ended.status, ended.text], [204, ""]);
    await c.post(invoke("1", "Echo", 7));
    const other = await (ended === (await first) ? second : first);
    assertEquals(records(other.text), [{
      type: 3,
      invocationId: "1",
      result: 7,
    }]);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: DELETE answers 202, the parked poll ends 204, the id is then gone", async () => {
  const hub = await startRawHub({ pollTimeoutMs: 30_000 });
  try {
    const c = await connected(hub);
    const parked = c.poll();
    await waitUntil(() => hub.hub.sizes().connections === 1, "registered");
    assertEquals((await c.delete()).status, 202);
    assertEquals((await parked).status, 204);
    await waitUntil(() => hub.hub.sizes().store === 0, "connection removed");
    assertEquals((await c.poll()).status, 404);
    assertEquals((await c.post(invoke("2", "Echo", 1))).status, 404);
    assertEquals((await c.delete()).status, 404);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: a connection with no poll for the inactivity time is dropped", async () => {
  const hub = await startRawHub({ longPollInactivityMs: 200 });
  try {
    const c = await connected(hub);
    assertEquals(hub.hub.sizes().connections, 1);
    await waitUntil(
      () => hub.hub.sizes().store === 0,
      "inactive connection dropped",
    );
    assertEquals(hub.hub.sizes().connections, 0);
    assertEquals((await c.poll()).status, 404);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: several records in one POST, and one record split over two POSTs", async () => {
  const hub = await startRawHub();
  try {
    const c = await connected(hub);
    const third = invoke("3", "Echo", "é€😀");
    const cut = third.indexOf("Echo");
    await c.post(
      invoke("1", "Echo", "a") + invoke("2", "Echo", "b") + third.slice(0, cut),
    );
    await c.post(third.slice(cut));
    const text = await c.pollUntil((t) => t.includes('"invocationId":"3"'));
    assertEquals(records(text), [
      { type: 3, invocationId: "1", result: "a" },
      { type: 3, invocationId: "2", result: "b" },
      { type: 3, invocationId: "3", result: "é€😀" },
    ]);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling + MessagePack: text handshake, binary bodies, a frame split over two POSTs", async () => {
  const hub = await startRawHub();
  try {
    const c = new RawPoller(hub.url, await negotiate(hub.url));
    assertEquals((await c.poll()).status, 200);
    await c.post(handshake("messagepack"));
    const reply = await c.poll();
    assertEquals([...reply.bytes], [0x7b, 0x7d, 0x1e]);
    const enc = (m: HubMessage) => messagePackProtocol.encode(m) as Uint8Array;
    const a = enc({
      type: 1,
      invocationId: "1",
      target: "Echo",
      arguments: [Uint8Array.of(1, 2, 3)],
    });
    const b = enc({
      type: 1,
      invocationId: "2",
      target: "echo",
      arguments: [{ x: 1.5 }],
    });
    const body = new Uint8Array(a.length + 3);
    body.set(a);
    body.set(b.subarray(0, 3), a.length);
    await c.post(body);
    await c.post(b.subarray(3));
    const decoder = messagePackProtocol.createDecoder(1 << 16);
    const got: HubMessage[] = [];
    while (got.length < 2) {
      const r = await c.poll();
      assertEquals(r.headers.get("content-type"), "application/octet-stream");
      got.push(...decoder.push(r.bytes));
    }
    assertEquals(got, [
      {
        type: 3,
        invocationId: "1",
        result: Uint8Array.of(1, 2, 3),
        hasResult: true,
      },
      { type: 3, invocationId: "2", result: { x: 1.5 }, hasResult: true },
    ]);
  } finally {
    await hub.close();
  }
});

Deno.test("long polling: a client between polls still gets the shutdown Close", async () => {
  const hub = await startRawHub({ shutdownDrainMs: 10_000 });
  let closed = false;
  try {
    const c = await connected(hub);
    const shutdown = hub.hub.shutdown().then(() => closed = true);
    const text = await c.pollUntil((t) => t.includes('"type":7'));
    assertEquals(records(text), [{
      type: 7,
      error: "Server is shutting down.",
      allowReconnect: true,
    }]);
    await shutdown;
    assertOk(closed);
    assertEquals(hub.hub.sizes().store, 0);
  } finally {
    await hub.close();
  }
});

Deno.test("HTTP surface: 400 without id, 404 unknown id, 405 other methods and WebSocket POSTs", async () => {
  const hub = await startRawHub();
  const socketOpen = Promise.withResolvers<void>();
  let socket: WebSocket | null = null;
  try {
    assertEquals((await request(hub.url)).status, 400);
    assertEquals(
      (await request(hub.url, { method: "POST", body: "x" })).status,
      400,
    );
    assertEquals((await request(hub.url, { method: "DELETE" })).status, 400);
    const unknown = `${hub.url}?id=nope`;
    assertEquals((await request(unknown)).status, 404);
    assertEquals(
      (await request(unknown, { method: "POST", body: "x" })).status,
      404,
    );
    assertEquals((await request(unknown, { method: "DELETE" })).status, 404);
    assertEquals(
      (await request(unknown, { method: "PUT", body: "x" })).status,
      405,
    );
    const token = await negotiate(hub.url);
    socket = new WebSocket(`${hub.url.replace("http", "ws")}?id=${token}`);
    socket.onopen = () => socketOpen.resolve();
    await socketOpen.promise;
    const ws = `${hub.url}?id=${token}`;
    assertEquals(
      (await request(ws, { method: "POST", body: "x" })).status,
      405,
    );
    assertEquals((await request(ws, { method: "DELETE" })).status, 400);
    assertEquals((await request(ws)).status, 400);
  } finally {
    const closed = new Promise((r) => socket ? socket.onclose = r : r(null));
    socket?.close();
    await closed;
    await hub.close();
  }
});

Deno.test("long polling: frames waiting for a poll count toward the slow-consumer bound", async () => {
  const hub = await startRawHub({ maxQueuedBytes: 4_000 });
  try {
    const c = await connected(hub);
    // Nobody polls while ten bursts are sent, each flushed on its own:
    // what waits in the transport counts, so the third one trips it.
    for (let i = 0; i < 10; i++) await c.post(invoke(String(i), "Burst", 30));
    const text = await c.pollUntil((t) => t.includes('"type":7'));
    const got = records(text);
    assertOk(text.length < 2 * 4_000, `buffer stayed bounded: ${text.length}`);
    // The bursts that fitted were kept for the poll, then came the Close.
    assertOk(got.length > 31, `kept ${got.length} records`);
    assertEquals(got.at(-1), {
      type: 7,
      error:
        "Connection closed because it could not keep up with its messages.",
      allowReconnect: true,
    });
    assertEquals(hub.hub.counters.slowConsumerCloses, 1);
    await waitUntil(() => hub.hub.sizes().store === 0, "connection removed");
  } finally {
    await hub.close();
  }
});
