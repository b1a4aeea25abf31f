/**
 * Settings the app reads from its environment reach the hub.
 */
import { assertEquals, assertRejects } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { connect } from "./helpers/signalr_client.ts";

Deno.test("MAX_CONNECTIONS_PER_ADDRESS caps one address's connections", async () => {
  const app = await startTestServer({
    env: { MAX_CONNECTIONS_PER_ADDRESS: "1" },
  });
  const first = await connect(app.url);
  try {
    await assertRejects(() => connect(app.url), /429/);
    assertEquals(app.hub.sizes().connections, 1);
  } finally {
    await first.stop();
    await app.close();
  }
});

Deno.test("a malformed number in the environment stops start-up clearly", async () => {
  await assertRejects(
    () => startTestServer({ env: { MAX_CONNECTIONS_PER_ADDRESS: "lots" } }),
    /Expected a whole number, got 'lots'/,
  );
});
