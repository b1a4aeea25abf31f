/**
 * Keep-alive and deadlines with short settings: the server pings idle
 * lines, closes silent clients, stalled handshakes and unused negotiations.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { defineHub } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { connect } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const hub = defineHub({
  methods: {
    Echo(_ctx, s: string) {
      return s;
    },
  },
});
const fast = {
  keepAliveIntervalMs: 100,
  clientTimeoutMs: 400,
  handshakeTimeoutMs: 300,
  negotiateTimeoutMs: 300,
};

Deno.test("keepalive: the server pings an idle line", async () => {
  const fixture = await serveHub(hub, fast);
  const raw = await RawClient.connected(fixture.url + "/hub");
  try {
    const ping = await raw.next((r) => r.type === 6, 2_000);
    assertEquals(ping, { type: 6 });
  } finally {
    await raw.close();
    await fixture.close();
  }
});

Deno.test("keepalive: a silent client is closed with ASP.NET's text", async () => {
  const fixture = await serveHub(hub, fast);
  const raw = await RawClient.connected(fixture.url + "/hub");
  try {
    const close = await raw.next((r) => r.type === 7, 3_000);
    assertEquals(
      close.error,
      "Server timeout elapsed without receiving a message from the client.",
    );
    await raw.closed;
    await waitUntil(() => fixture.hub.sizes().store === 0, "cleanup");
  } finally {
    await fixture.close();
  }
});

Deno.test("keepalive: server pings keep a pinging client alive past the timeout", async () => {
  const fixture = await serveHub(hub, fast);
  // The client re-arms its ping timer only when it hears from the server,
  // so this passes only if the server's own pings flow.
  const c = await connect(fixture.url, "/hub", { keepAliveMs: 100 });
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    assertEquals(c.state, "Connected");
    assertEquals(await c.invoke("Echo", "alive"), "alive");
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("deadlines: no handshake in time, and a negotiation never used", async () => {
  const fixture = await serveHub(hub, fast);
  try {
    const raw = await RawClient.open(fixture.url + "/hub");
    const answer = await raw.next(() => true, 3_000);
    assertEquals(answer, { error: "Handshake was not completed in time." });
    await raw.closed;
    const res = await fetch(`${fixture.url}/hub/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    await res.body?.cancel();
    assertEquals(fixture.hub.sizes().store >= 1, true);
    await waitUntil(
      () => fixture.hub.sizes().store === 0,
      "negotiation expiry",
      3_000,
    );
    assert.ok(fixture.hub.counters.errors >= 1);
  } finally {
    await fixture.close();
  }
});
