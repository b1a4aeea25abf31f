/**
 * Origins on the wire: a disallowed origin is refused (403) on negotiate
 * and on the WebSocket upgrade; an allowed one gets the preflight and
 * credentialed CORS headers on every answer, 204 and 404 endings too.
 */

import { assertEquals, assertRejects } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { connect } from "./helpers/signalr_client.ts";
import {
  handshake,
  negotiate,
  type RawResponse,
  request,
  startRawHub,
} from "./helpers/raw_hub.ts";

const ALLOWED = "http://app.example:8080";
const EVIL = "http://evil.example";

/** The status line of a raw WebSocket upgrade sent with `origin`. */
async function upgradeStatus(url: string, origin: string): Promise<string> {
  const u = new URL(url);
  const conn = await Deno.connect({
    hostname: u.hostname,
    port: Number(u.port),
  });
  try {
    const lines = [
      `GET ${u.pathname}${u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      `Origin: ${origin}`,
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

function assertCors(r: RawResponse | Response, what: string): void {
  assertEquals(
    [
      r.headers.get("access-control-allow-origin"),
      r.headers.get("access-control-allow-credentials"),
    ],
    [ALLOWED, "true"],
    what,
  );
}

Deno.test("a disallowed origin is refused with 403 on negotiate and on the upgrade", async () => {
  const app = await startTestServer({
    feedIntervalMs: 60_000,
    env: { ALLOWED_ORIGINS: ALLOWED },
  });
  try {
    const negotiated = await request(
      `${app.url}/chart/negotiate?negotiateVersion=1`,
      {
        method: "POST",
        headers: { origin: EVIL },
      },
    );
    assertEquals(negotiated.status, 403);
    assertEquals(negotiated.headers.get("access-control-allow-origin"), null);
    assertEquals(
      await upgradeStatus(`${app.url}/chart`, EVIL),
      "HTTP/1.1 403 Forbidden",
    );
    const token = await negotiate(`${app.url}/chart`);
    assertEquals(
      await upgradeStatus(`${app.url}/chart?id=${token}`, EVIL),
      "HTTP/1.1 403 Forbidden",
    );
    // The official client sending that Origin fails to start.
    await assertRejects(
      () => connect(app.url, "/chart", { headers: { Origin: EVIL } }),
      /403/,
    );
    // The allowed origin passes both.
    const ok = await request(`${app.url}/chart/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { origin: ALLOWED },
    });
    assertEquals(ok.status, 200);
    assertCors(ok, "negotiate");
    const allowedToken = JSON.parse(ok.text).connectionToken;
    assertEquals(
      await upgradeStatus(`${app.url}/chart?id=${allowedToken}`, ALLOWED),
      "HTTP/1.1 101 Switching Protocols",
    );
  } finally {
    await app.close();
  }
});

Deno.test("an allowed origin gets credentialed CORS on every answer, 204 and 404 included", async () => {
  const hub = await startRawHub({
    allowedOrigins: [ALLOWED],
    pollTimeoutMs: 30_000,
  });
  const headers = { origin: ALLOWED };
  try {
    const pre = await request(`${hub.url}/negotiate?negotiateVersion=1`, {
      method: "OPTIONS",
      headers: {
        ...headers,
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "x-requested-with,x-signalr-user-agent",
      },
    });
    assertEquals(pre.status, 204);
    assertCors(pre, "preflight");
    assertEquals(
      pre.headers.get("access-control-allow-headers"),
      "x-requested-with,x-signalr-user-agent",
    );
    const token = await negotiate(hub.url);
    const url = `${hub.url}?id=${token}`;
    const first = await request(url, { headers });
    assertEquals(first.status, 200);
    assertCors(first, "first poll");
    const sent = await request(url, {
      method: "POST",
      body: handshake(),
      headers,
    });
    assertEquals(sent.status, 200);
    assertCors(sent, "POST");
    assertCors(await request(url, { headers }), "poll with data");
    const parked = request(url, { headers });
    const deleted = await request(url, { method: "DELETE", headers });
    assertEquals(deleted.status, 202);
    assertCors(deleted, "DELETE");
    const ended = await parked;
    assertEquals(ended.status, 204);
    assertCors(ended, "204 ending");
    const missing = await request(`${hub.url}?id=gone`, { headers });
    assertEquals(missing.status, 404);
    assertCors(missing, "404");
    const noId = await request(hub.url, { headers });
    assertEquals(noId.status, 400);
    assertCors(noId, "400");
    const sseToken = await negotiate(hub.url);
    const sse = await fetch(`${hub.url}?id=${sseToken}`, {
      headers: { ...headers, accept: "text/event-stream" },
    });
    assertCors(sse, "SSE stream");
    await sse.body!.cancel();
  } finally {
    await hub.close();
  }
});
