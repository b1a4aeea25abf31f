/**
 * /healthz and /metrics of the app: the contract's metric names, live
 * gauges, and no secrets.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { connect } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

Deno.test("healthz answers 200 with backplane detail while accepting", async () => {
  const app = await startTestServer();
  try {
    const res = await fetch(`${app.url}/healthz`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.status, "ok");
    assertEquals(body.backplane.name, "memory");
    assertEquals(body.backplane.healthy, true);
  } finally {
    await app.close();
  }
});

Deno.test("metrics: the contract's gauges and counters, tracking live state", async () => {
  const app = await startTestServer({ feedIntervalMs: 50 });
  const a = await connect(app.url);
  try {
    await a.invoke("AddToGroup", "g1");
    await a.invoke("Nope").catch(() => {});
    await waitUntil(() => app.hub.counters.messagesSent > 2, "some feed");
    const text = await (await fetch(`${app.url}/metrics`)).text();
    for (
      const name of [
        "switchboard_connections",
        "switchboard_users",
        "switchboard_groups",
        "switchboard_messages_received_total",
        "switchboard_messages_sent_total",
        "switchboard_messages_dropped_total",
        "switchboard_errors_total",
        "switchboard_slow_consumer_closes_total",
      ]
    ) {
      assert.match(text, new RegExp(`^${name} \\d+$`, "m"), name);
    }
    assert.match(text, /^switchboard_connections 1$/m);
    assert.match(text, /^switchboard_groups 1$/m);
    assert.match(text, /^switchboard_errors_total [1-9]\d*$/m);
  } finally {
    await a.stop();
    await app.close();
  }
});
