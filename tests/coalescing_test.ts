/**
 * Send coalescing: what a connection is sent during one event-loop turn
 * leaves as one frame of several records. These tests check the result,
 * never its speed: every record arrives, in order, parsed by the official
 * client on every transport × protocol pair; a burst of fire-and-forget
 * calls is carried out whole (one frame or many); and a stateful
 * connection cut between multi-record frames replays exactly what was
 * lost.
 */

import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { TcpProxy } from "./helpers/tcp_proxy.ts";
import { connect, signalR, transportPairs } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { jsonProtocol } from "../hub/mod.ts";
import { messagePackProtocol } from "../hub/protocol/messagepack.ts";

const { HttpTransportType } = signalR;
const RS = "\x1e";
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const protocols = [jsonProtocol, messagePackProtocol];

/** 300 fire-and-forget `ToGroup` records, as one string per frame. */
function groupSends(count: number): string[] {
  return range(count).map((n) =>
    `{"type":1,"target":"ToGroup","arguments":["room",${n}]}${RS}`
  );
}

async function burstReachesMembers(oneFrame: boolean): Promise<void> {
  const app = await startFaultHub();
  const member = await connect(app.url, "/hub", {
    transport: HttpTransportType.WebSockets,
  });
  const watcher = await RawClient.connected(`${app.url}/hub`);
  const sender = await RawClient.connected(`${app.url}/hub`);
  try {
    const got: number[] = [];
    member.on("group", (n: number) => {
      got.push(n);
    });
    await member.invoke("Join", "room");
    watcher.sendMessage({
      type: 1,
      invocationId: "j",
      target: "Join",
      arguments: ["room"],
    });
    await watcher.next((r) => r.type === 3);
    const framesBefore = watcher.frames;
    const records = groupSends(300);
    if (oneFrame) sender.send(records.join(""));
    else for (const record of records) sender.send(record);
    await waitUntil(() => got.length >= 300, "all 300 at the member");
    assertEquals(got, range(300));
    const seen: unknown[] = [];
    while (seen.length < 300) {
      seen.push((await watcher.next((r) => r.target === "group")).arguments);
    }
    assertEquals(seen, range(300).map((n) => [n]));
    if (oneFrame) {
      // Read in one turn, so each member gets them in one frame.
      assertEquals(watcher.frames - framesBefore, 1);
    }
  } finally {
    await member.stop();
    await watcher.close();
    await sender.close();
    await app.close();
  }
}

Deno.test("300 back-to-back group sends in one frame all reach the members, in order, as one frame", () =>
  burstReachesMembers(true));

Deno.test("300 back-to-back group sends in 300 frames all reach the members, in order", () =>
  burstReachesMembers(false));

Deno.test("a burst past one turn's budget goes on in later turns, whole and in order", async () => {
  const app = await startFaultHub();
  const members = await Promise.all(
    range(15).map(() => RawClient.connected(`${app.url}/hub`)),
  );
  const sender = await RawClient.connected(`${app.url}/hub`);
  try {
    for (const m of members) {
      m.sendMessage({
        type: 1,
        invocationId: "j",
        target: "Join",
        arguments: ["room"],
      });
      await m.next((r) => r.type === 3);
    }
    const before = members.map((m) => m.frames);
    // 400 × 15 = 6,000 messages: more than the first turn's budget.
    sender.send(groupSends(400).join(""));
    for (const m of members) {
      const seen: unknown[] = [];
      while (seen.length < 400) {
        seen.push((await m.next((r) => r.target === "group")).arguments);
      }
      assertEquals(seen, range(400).map((n) => [n]));
    }
    // Split across turns: more than one frame, far fewer than 400.
    const frames = members[0].frames - before[0];
    assertOk(frames > 1 && frames < 20, `${frames} frames`);
  } finally {
    for (const m of members) await m.close();
    await sender.close();
    await app.close();
  }
});

for (const [name, transport, msgpack] of transportPairs) {
  Deno.test(`frames of several records are parsed by the official client over ${name}`, async () => {
    const app = await startFaultHub({ protocols });
    const client = await connect(app.url, "/hub", {
      transport,
      protocol: msgpack ? new MessagePackHubProtocol() : undefined,
    });
    try {
      const got: [number, string][] = [];
      client.on("flood", (n: number, text: string) => {
        got.push([n, text]);
      });
      // Sent in one turn: one frame (one SSE event, one poll answer) each.
      for (let round = 0; round < 3; round++) {
        await client.invoke("Flood", 100, 20);
      }
      await waitUntil(() => got.length >= 300, "three bursts of 100");
      const expected = [1, 2, 3].flatMap(() =>
        range(100).map((n): [number, string] => [n, "x".repeat(20)])
      );
      assertEquals(got, expected);
    } finally {
      await client.stop();
      await app.close();
    }
  });
}

async function cutBetweenFrames(protocol?: signalR.IHubProtocol) {
  const app = await startFaultHub({ protocols });
  const proxy = TcpProxy.start(app.url);
  const client = await connect(proxy.url, "/hub", {
    transport: HttpTransportType.WebSockets,
    statefulReconnect: true,
    protocol,
  });
  try {
    const id = await client.invoke<string>("GetConnectionId");
    const seq: number[] = [];
    client.on("seq", (n: number) => {
      seq.push(n);
    });
    // 40 frames of 25 records each, a few ms apart.
    await client.invoke("BurstFrames", 40, 25, 3);
    await waitUntil(() => seq.length >= 200, "the burst to be under way");
    proxy.cutAll();
    await waitUntil(() => seq.length >= 1000, "every burst message");
    assertEquals(seq, range(1000));
    assertEquals(await client.invoke<string>("GetConnectionId"), id);
  } finally {
    await client.stop();
    // The client's Ack debounce timer outlives stop() by up to 1 s.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await proxy.close();
    await app.close();
  }
}

Deno.test("a cut between multi-record frames replays exactly what was lost (JSON)", () =>
  cutBetweenFrames());

Deno.test("a cut between multi-record frames replays exactly what was lost (MessagePack)", () =>
  cutBetweenFrames(new MessagePackHubProtocol()));
