/**
 * A peer that ignores the server's Close frame keeps its TCP connection:
 * Deno gives a server no way to drop a WebSocket once it sent its Close.
 * These tests hold such sockets open with a raw TCP client and check that
 * they still count against the per-address cap after the connection is
 * cleaned up, and that one stateful connection cannot pile them up by
 * reconnecting again and again.
 */

import assert from "node:assert/strict";
import { RS, startRawHub } from "./helpers/raw_hub.ts";
import { DeafSocket } from "./helpers/deaf_socket.ts";
import { waitUntil } from "./helpers/wait_until.ts";

async function negotiateStatus(url: string, query = ""): Promise<number> {
  const res = await fetch(`${url}/negotiate?negotiateVersion=1${query}`, {
    method: "POST",
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("lingering sockets: a socket that ignores our Close keeps its address slot until it goes", async () => {
  const hub = await startRawHub({
    maxConnectionsPerAddress: 2,
    closingGraceMs: 100,
  });
  const sockets: DeafSocket[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const socket = await DeafSocket.open(hub.url);
      await socket.sendText(`{"protocol":"json","version":1}${RS}`);
      // Not a record: the server answers with a Close and closes.
      await socket.sendText(`garbage${RS}`);
      sockets.push(socket);
    }
    await waitUntil(
      () => sockets.every((s) => s.received.includes('"type":7')),
      "both got the Close message",
    );
    await waitUntil(
      () => hub.hub.sizes().store === 0,
      "the connections are cleaned up after the closing grace",
    );
    // Both sockets are still open on the server: no slot for a third.
    assert.equal(await negotiateStatus(hub.url), 429);
    sockets[0].drop();
    await waitUntil(
      async () => await negotiateStatus(hub.url) === 200,
      "a dropped socket hands its slot back",
    );
  } finally {
    for (const s of sockets) s.drop();
    await hub.close();
  }
});

Deno.test("lingering sockets: a third concurrent stateful reconnect is refused", async () => {
  const hub = await startRawHub({ statefulReconnect: true });
  const sockets: DeafSocket[] = [];
  try {
    const res = await fetch(
      `${hub.url}/negotiate?negotiateVersion=1&useStatefulReconnect=true`,
      { method: "POST" },
    );
    const { connectionToken } = await res.json();
    const url = `${hub.url}?id=${connectionToken}`;
    const first = await DeafSocket.open(url);
    sockets.push(first);
    await first.sendText(`{"protocol":"json","version":2}${RS}`);
    await waitUntil(() => first.received.includes(`{}${RS}`), "handshake");
    // The second takes over; the first is told to close and ignores it.
    sockets.push(await DeafSocket.open(url));
    await assert.rejects(DeafSocket.open(url), /409/);
    // Once the old socket is really gone, reconnecting works again.
    first.drop();
    await waitUntil(async () => {
      try {
        sockets.push(await DeafSocket.open(url));
        return true;
      } catch {
        return false;
      }
    }, "a reconnect after the old socket went");
  } finally {
    for (const s of sockets) s.drop();
    await hub.close();
  }
});

Deno.test("lingering sockets: upgrades dropped before they open give their slots back", async () => {
  const hub = await startRawHub({
    maxConnectionsPerAddress: 3,
    handshakeTimeoutMs: 200,
    closingGraceMs: 100,
  });
  try {
    for (let i = 0; i < 10; i++) {
      const socket = await DeafSocket.open(hub.url).catch(() => null);
      socket?.drop();
    }
    // Upgrade requests cut before the answer.
    for (let i = 0; i < 10; i++) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(new URL(hub.url).port),
      });
      await conn.write(
        new TextEncoder().encode(
          `GET /hub HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\n\r\n",
        ),
      );
      conn.close();
    }
    await waitUntil(
      async () =>
        hub.hub.sizes().store === 0 && await negotiateStatus(hub.url) === 200,
      "every slot is back",
    );
  } finally {
    await hub.close();
  }
});

Deno.test("lingering sockets: a long-polling client that leaves with its Close unread gives its slot back", async () => {
  const hub = await startRawHub({
    maxConnectionsPerAddress: 1,
    longPollInactivityMs: 100,
    closingGraceMs: 100,
  });
  try {
    const res = await fetch(`${hub.url}/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    const { connectionToken } = await res.json();
    const url = `${hub.url}?id=${connectionToken}`;
    // The first poll opens the transport and answers at once.
    await (await fetch(url)).body?.cancel();
    const post = (body: string) =>
      fetch(url, { method: "POST", body }).then((r) => r.body?.cancel());
    await post(`{"protocol":"json","version":1}${RS}`);
    // Not a record: the server queues a Close that nobody polls for.
    await post(`garbage${RS}`);
    assert.equal(await negotiateStatus(hub.url), 429, "the slot is held");
    await waitUntil(
      async () => await negotiateStatus(hub.url) === 200,
      "the abandoned poller's slot is back",
    );
  } finally {
    await hub.close();
  }
});

/**
 * A Close frame with code 1000 as DeafSocket's text shows it (bytes 0x88,
 * 0x02, 0x03, 0xE8 read as windows-1252).
 */
const CLOSE_1000 = "\u02c6\u0002\u0003\u00e8";

Deno.test("lingering sockets: a reconnect socket replaced before it opened still gets its Close", async () => {
  const hub = await startRawHub({
    statefulReconnect: true,
    statefulReconnectWindowMs: 300,
  });
  const sockets: DeafSocket[] = [];
  try {
    for (let round = 0; round < 5; round++) {
      const res = await fetch(
        `${hub.url}/negotiate?negotiateVersion=1&useStatefulReconnect=true`,
        { method: "POST" },
      );
      const { connectionToken } = await res.json();
      const url = `${hub.url}?id=${connectionToken}`;
      const first = await DeafSocket.open(url);
      await first.sendText(`{"protocol":"json","version":2}${RS}`);
      await waitUntil(() => first.received.includes(`{}${RS}`), "handshake");
      first.drop();
      // Two reconnects at once, silent: one replaces the other, maybe
      // before the replaced one's upgrade finished opening.
      const pair = await Promise.all([
        DeafSocket.open(url),
        DeafSocket.open(url),
      ]);
      sockets.push(...pair);
      // The replaced one gets a Close frame now, the other when the
      // reconnect window ends: neither is left open and silent.
      await waitUntil(
        () => pair.every((s) => s.received.includes(CLOSE_1000)),
        "both reconnect sockets got a Close frame",
      );
    }
  } finally {
    for (const s of sockets) s.drop();
    await hub.close();
  }
});
