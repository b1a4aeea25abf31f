/**
 * Connect/disconnect churn with groups and users: every map returns to
 * empty, so nothing leaks per connection.
 */
import { assertEquals } from "./helpers/assert.ts";
import { defineHub } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { connect } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const hub = defineHub({
  methods: {
    Join(ctx, group: string) {
      return ctx.groups.add(ctx.connectionId, group);
    },
  },
});

Deno.test("churn: 300 connections with users and groups leave no trace", async () => {
  const fixture = await serveHub(hub, {
    authenticate: (req) => {
      const user = req.headers.get("x-user");
      return user ? { userId: user, claims: {} } : null;
    },
  });
  try {
    for (let round = 0; round < 3; round++) {
      const batch = await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) =>
            connect(fixture.url, "/hub", {
              headers: { "x-user": `u${i % 7}` },
            }),
        ),
      );
      await Promise.all(batch.map((c, i) => c.invoke("Join", `g${i % 5}`)));
      const sizes = fixture.hub.sizes();
      assertEquals(sizes.connections, 50);
      assertEquals(sizes.groups, 5);
      assertEquals(sizes.users, 7);
      await Promise.all(batch.map((c) => c.stop()));
      await waitUntil(() => fixture.hub.sizes().store === 0, "store drains");
    }
    // Sockets that vanish without a Close message are cleaned up too.
    const raws = await Promise.all(
      Array.from(
        { length: 150 },
        () => RawClient.connected(fixture.url + "/hub"),
      ),
    );
    raws.forEach((r, i) =>
      r.sendMessage({ type: 1, target: "Join", arguments: [`r${i % 3}`] })
    );
    await waitUntil(() => fixture.hub.sizes().groups === 3, "raw joins");
    await Promise.all(raws.map((r) => r.close()));
    await waitUntil(() => fixture.hub.sizes().store === 0, "raw drains");
    assertEquals(fixture.hub.sizes(), {
      store: 0,
      connections: 0,
      users: 0,
      groups: 0,
    });
  } finally {
    await fixture.close();
  }
});
