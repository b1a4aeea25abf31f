/**
 * Negotiate and the WebSocket endpoint's status codes, as the official
 * client and ASP.NET expect them.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { RawClient, upgradeHeaders } from "./helpers/raw_socket.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { chartHub } from "../chart/chart_hub.ts";
import { ChartHistory } from "../chart/chart_history.ts";

Deno.test("negotiate: version 1 gives a public id, a secret URL-safe token, transports", async () => {
  const app = await startTestServer();
  try {
    const res = await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.negotiateVersion, 1);
    assert.match(body.connectionId, /^[A-Za-z0-9_-]{22}$/);
    assert.match(body.connectionToken, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(body.connectionId, body.connectionToken);
    assertEquals(body.availableTransports[0].transport, "WebSockets");
    // Query keys are case-insensitive and a higher version is lowered.
    const v9 =
      await (await fetch(`${app.url}/chart/negotiate?NEGOTIATEVERSION=9`, {
        method: "POST",
      })).json();
    assertEquals(v9.negotiateVersion, 1);
    // Version 0 (no query) is refused by default, in ASP.NET's words.
    const v0 =
      await (await fetch(`${app.url}/chart/negotiate`, { method: "POST" }))
        .json();
    assertEquals(v0, {
      error:
        "The client requested version '0', but the server does not support this version.",
    });
    assertEquals((await fetch(`${app.url}/chart/negotiate`)).status, 405);
  } finally {
    await app.close();
  }
});

Deno.test("negotiate: the official client works with a version-0 server", async () => {
  const fixture = await serveHub(chartHub(new ChartHistory()), {
    path: "/chart",
    negotiateVersion: 0,
    minNegotiateVersion: 0,
  });
  const c = await connect(fixture.url);
  try {
    assertEquals(await c.invoke("GetConnectionId"), c.connectionId);
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("websocket: skipNegotiation connects; the id is only known via a method", async () => {
  const app = await startTestServer();
  const c = await connect(app.url, "/chart", {
    skipNegotiation: true,
    transport: signalR.HttpTransportType.WebSockets,
  });
  try {
    assertEquals(c.connectionId, null);
    assert.match(
      await c.invoke<string>("GetConnectionId"),
      /^[A-Za-z0-9_-]{22}$/,
    );
  } finally {
    await c.stop();
    await app.close();
  }
});

Deno.test("websocket: unknown id 404, second socket 409, the public id is no token", async () => {
  const app = await startTestServer();
  try {
    const unknown = await fetch(`${app.url}/chart?id=nope`, {
      headers: upgradeHeaders(),
    });
    assertEquals(unknown.status, 404);
    await unknown.body?.cancel();
    const body =
      await (await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
        method: "POST",
      })).json();
    const first = await RawClient.open(
      `${app.url}/chart?id=${body.connectionToken}`,
    );
    const second = await fetch(`${app.url}/chart?id=${body.connectionToken}`, {
      headers: upgradeHeaders(),
    });
    assertEquals(second.status, 409);
    await second.body?.cancel();
    const byPublicId = await fetch(`${app.url}/chart?id=${body.connectionId}`, {
      method: "POST",
      body: "x",
    });
    assertEquals(byPublicId.status, 404);
    await byPublicId.body?.cancel();
    const noId = await fetch(`${app.url}/chart`, { method: "POST", body: "x" });
    assertEquals(noId.status, 400);
    await noId.body?.cancel();
    await first.close();
  } finally {
    await app.close();
  }
});
