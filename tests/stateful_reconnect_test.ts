/**
 * Stateful reconnect end to end: the official client with
 * `withStatefulReconnect()` behind a TCP proxy whose connections we cut in
 * the middle of bursts in both directions. Every message must arrive
 * exactly once, in order, on the same connection id, with groups kept.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import { TcpProxy } from "./helpers/tcp_proxy.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { jsonProtocol } from "../hub/mod.ts";
import { messagePackProtocol } from "../hub/protocol/messagepack.ts";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

function statefulClient(
  url: string,
  protocol?: signalR.IHubProtocol,
): Promise<signalR.HubConnection> {
  return connect(url, "/hub", {
    transport: signalR.HttpTransportType.WebSockets,
    statefulReconnect: true,
    protocol,
  });
}

/**
 * Stops a stateful client and waits out its Ack debounce timer (1 s),
 * which the official client does not clear on stop(); Deno 2.5's
 * sanitizer would report it as a leak.
 */
async function stopStateful(client: signalR.HubConnection): Promise<void> {
  await client.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

Deno.test("negotiate offers stateful reconnect only to a client that asks", async () => {
  const app = await startFaultHub();
  try {
    const asked = await fetch(
      `${app.url}/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true`,
      { method: "POST" },
    );
    assertEquals((await asked.json()).useStatefulReconnect, true);
    const plain = await fetch(`${app.url}/hub/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    assertEquals((await plain.json()).useStatefulReconnect, undefined);
    const off = await startFaultHub({ statefulReconnect: false });
    try {
      const refused = await fetch(
        `${off.url}/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true`,
        { method: "POST" },
      );
      assertEquals((await refused.json()).useStatefulReconnect, undefined);
    } finally {
      await off.close();
    }
  } finally {
    await app.close();
  }
});

async function cutMidBurst(protocol?: signalR.IHubProtocol): Promise<void> {
  const reattached: unknown[] = [];
  const app = await startFaultHub({
    protocols: [jsonProtocol, messagePackProtocol],
    logger: {
      log: (_level, event, fields) => {
        if (event === "connection.reattached") reattached.push(fields);
      },
    },
  });
  const proxy = TcpProxy.start(app.url);
  const client = await statefulClient(proxy.url, protocol);
  try {
    const id = await client.invoke<string>("GetConnectionId");
    await client.invoke("Join", "room");
    const seq: number[] = [];
    client.on("seq", (n: number) => {
      seq.push(n);
    });
    const group: number[] = [];
    client.on("group", (n: number) => {
      group.push(n);
    });
    let reconnecting = 0;
    client.onreconnecting(() => reconnecting++);
    let closed = false;
    client.onclose(() => closed = true);

    // Server→client: cut while the server is half-way through 300 sends.
    await client.invoke("Burst", 300, 2);
    await waitUntil(() => seq.length >= 60, "the burst to be under way");
    const acceptedBefore = proxy.accepted;
    proxy.cutAll();
    // Client→server: sends made while the socket is down are buffered by
    // the client and replayed; the server must drop what it already had.
    for (const n of range(100)) client.send("Record", n);
    await waitUntil(() => seq.length >= 300, "every burst message");
    await waitUntil(
      () => proxy.accepted > acceptedBefore,
      "the client to come back through the proxy",
    );

    // Cut again, this time in the middle of the client's own burst.
    const sends = range(100).map((n) => client.send("Record", 100 + n));
    proxy.cutAll();
    await Promise.all(sends);
    await waitUntil(
      async () => (await client.invoke<number[]>("Recorded")).length >= 200,
      "the server to have every recorded number",
    );
    assertEquals(await client.invoke<number[]>("Recorded"), range(200));
    assertEquals(seq, range(300));

    // Same connection: same id, still in the group, still open.
    assertEquals(await client.invoke<string>("GetConnectionId"), id);
    assertEquals(client.connectionId, id);
    await client.invoke("ToGroup", "room", 7);
    await waitUntil(() => group.length === 1, "the group message");
    assertEquals(group, [7]);
    assertEquals(reattached.length, 2, "both cuts resumed the connection");
    if (Deno.env.get("TEST_LOG")) console.log(reattached);
    assertEquals(reconnecting, 0);
    assertEquals(closed, false);
    assertOk(proxy.accepted > acceptedBefore);
  } finally {
    await stopStateful(client);
    await proxy.close();
    await app.close();
  }
}

Deno.test("a cut mid-burst loses nothing and repeats nothing (JSON)", () =>
  cutMidBurst());

Deno.test("a cut mid-burst loses nothing and repeats nothing (MessagePack)", () =>
  cutMidBurst(new MessagePackHubProtocol()));

Deno.test("a dropped stateful connection keeps its maps until the window ends", async () => {
  const events: string[] = [];
  const app = await startFaultHub({
    statefulReconnectWindowMs: 1_000,
    logger: { log: (_level, event) => events.push(event) },
  });
  const proxy = TcpProxy.start(app.url);
  const client = await statefulClient(proxy.url);
  const closed = new Promise((resolve) => client.onclose(resolve));
  try {
    await client.invoke("Join", "room");
    assertEquals(app.hub.sizes().groups, 1);
    // No way back: the client's reconnect attempt is refused.
    proxy.stopListening();
    proxy.cutAll();
    await waitUntil(
      () => events.includes("connection.suspended"),
      "the server to notice the drop",
    );
    // Kept through the drop: the connection and its group stay.
    assertEquals(app.hub.sizes().connections, 1);
    assertEquals(app.hub.sizes().groups, 1);
    await closed;
    await waitUntil(
      () => app.hub.sizes().store === 0,
      "the reconnect window to expire",
    );
    assertEquals(app.hub.sizes(), {
      store: 0,
      connections: 0,
      users: 0,
      groups: 0,
    });
  } finally {
    await stopStateful(client);
    await proxy.close();
    await app.close();
  }
});

Deno.test("a stopped stateful client is cleaned up at once", async () => {
  const app = await startFaultHub();
  const client = await statefulClient(app.url);
  await client.invoke("Join", "room");
  await stopStateful(client);
  try {
    await waitUntil(() => app.hub.sizes().store === 0, "cleanup after stop");
    assertEquals(app.hub.sizes().groups, 0);
  } finally {
    await app.close();
  }
});

Deno.test("the server acks what it received, so a client may send past its own buffer", async () => {
  // The client blocks its sends at 100,000 unacked bytes; 5,000 records
  // of ~48 bytes (240 KB) need the server's Acks to get through.
  const app = await startFaultHub({ messagesPerSecond: 0 });
  const client = await statefulClient(app.url);
  try {
    const sends: Promise<void>[] = [];
    for (let n = 1; n <= 5_000; n++) sends.push(client.send("Record", n));
    await Promise.all(sends);
    assertEquals(await client.invoke<number[]>("Recorded"), range(5_000));
  } finally {
    await stopStateful(client);
    await app.close();
  }
});

Deno.test("a stateful client that stops acking is closed at the ack deadline", async () => {
  const app = await startFaultHub({ statefulReconnectAckTimeoutMs: 300 });
  const proxy = TcpProxy.start(app.url);
  const client = await statefulClient(proxy.url);
  try {
    proxy.pause("down"); // it receives nothing, so it acks nothing
    await app.hub.clients.all.send("seq", 1);
    await waitUntil(
      async () =>
        await app.metric("switchboard_slow_consumer_closes_total") === 1,
      "the ack deadline to close it",
    );
  } finally {
    await stopStateful(client);
    await proxy.close();
    await app.close();
  }
});

Deno.test("a socket the server still thinks is open is replaced by the client's new one", async () => {
  const reattached: { replaced?: boolean }[] = [];
  const app = await startFaultHub({
    logger: {
      log: (_level, event, fields) => {
        if (event === "connection.reattached") reattached.push(fields ?? {});
      },
    },
  });
  const proxy = TcpProxy.start(app.url);
  const client = await statefulClient(proxy.url);
  try {
    const id = await client.invoke<string>("GetConnectionId");
    const seq: number[] = [];
    client.on("seq", (n: number) => {
      seq.push(n);
    });
    await client.invoke("Burst", 200, 2);
    await waitUntil(() => seq.length >= 40, "the burst to be under way");
    // Half-open: the client's side is gone, the server's still looks fine.
    proxy.vanishAll();
    await waitUntil(() => seq.length >= 200, "every burst message");
    assertEquals(seq, range(200));
    assertEquals(await client.invoke<string>("GetConnectionId"), id);
    // One resume, onto a connection the server still thought was live.
    assertEquals(reattached.map((f) => f.replaced), [true]);
  } finally {
    await stopStateful(client);
    await proxy.close();
    await app.close();
  }
});

Deno.test("on a slow, laggy link a cut still loses nothing", async () => {
  const app = await startFaultHub();
  const proxy = TcpProxy.start(app.url);
  const client = await statefulClient(proxy.url);
  try {
    const seq: number[] = [];
    client.on("seq", (n: number) => {
      seq.push(n);
    });
    proxy.delay("down", 5);
    proxy.throttle("down", 20_000);
    proxy.delay("up", 5);
    await client.invoke("Burst", 150, 0);
    await waitUntil(() => seq.length >= 20, "some of the burst");
    proxy.cutAll();
    proxy.throttle("down", 0);
    await waitUntil(() => seq.length >= 150, "every burst message");
    assertEquals(seq, range(150));
  } finally {
    await stopStateful(client);
    await proxy.close();
    await app.close();
  }
});
