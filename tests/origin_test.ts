/**
 * Cross-site WebSocket hijacking is closed by default: a browser page on
 * another origin is refused (403); listed origins and non-browser
 * clients (no Origin header) are let in.
 */
import { assertEquals } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { upgradeHeaders } from "./helpers/raw_socket.ts";

Deno.test("origin: foreign origins get 403 on negotiate and upgrade", async () => {
  const app = await startTestServer({
    env: { ALLOWED_ORIGINS: "http://good.example" },
  });
  try {
    for (
      const origin of [
        "http://evil.example",
        "null",
        "http://good.example.evil",
      ]
    ) {
      const n = await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
        method: "POST",
        headers: { origin },
      });
      assertEquals(n.status, 403, `negotiate from ${origin}`);
      await n.body?.cancel();
      const u = await fetch(`${app.url}/chart`, {
        headers: upgradeHeaders(origin),
      });
      assertEquals(u.status, 403, `upgrade from ${origin}`);
      await u.body?.cancel();
    }
    assertEquals(app.hub.counters.connectionsRefused, 6);
  } finally {
    await app.close();
  }
});

Deno.test("origin: own origin, listed origins and no origin are allowed, with CORS for listed", async () => {
  const app = await startTestServer({
    env: { ALLOWED_ORIGINS: "http://good.example" },
  });
  try {
    const own = await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { origin: app.url },
    });
    assertEquals(own.status, 200);
    assertEquals(own.headers.get("access-control-allow-origin"), null);
    await own.body?.cancel();
    const listed = await fetch(
      `${app.url}/chart/negotiate?negotiateVersion=1`,
      { method: "POST", headers: { origin: "http://good.example" } },
    );
    assertEquals(listed.status, 200);
    assertEquals(
      listed.headers.get("access-control-allow-origin"),
      "http://good.example",
    );
    assertEquals(
      listed.headers.get("access-control-allow-credentials"),
      "true",
    );
    await listed.body?.cancel();
    const pre = await fetch(`${app.url}/chart/negotiate`, {
      method: "OPTIONS",
      headers: {
        origin: "http://good.example",
        "access-control-request-headers": "x-signalr-user-agent",
      },
    });
    assertEquals(pre.status, 204);
    assertEquals(
      pre.headers.get("access-control-allow-origin"),
      "http://good.example",
    );
    const none = await fetch(`${app.url}/chart/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    assertEquals(none.status, 200);
    await none.body?.cancel();
  } finally {
    await app.close();
  }
});
