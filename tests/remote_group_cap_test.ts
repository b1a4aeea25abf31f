/**
 * A group change asked of another process reports the owner's refusal:
 * a remote add past the group cap rejects with the cap's error instead of
 * resolving after the ack timeout as if it had worked.
 */

import assert from "node:assert/strict";
import { defineHub, MemoryBus } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect } from "./helpers/signalr_client.ts";

const hubDef = defineHub({
  methods: {
    Whoami: (ctx) => ctx.connectionId,
    Join: (ctx, group: string) => ctx.groups.add(ctx.connectionId, group),
  },
});

Deno.test("a remote add past the group cap rejects with the cap's error", async () => {
  const bus = new MemoryBus();
  // A long ack timeout: before the fix the add resolved when it ran out.
  const limits = { maxGroupsPerConnection: 1, groupAckTimeoutMs: 3_000 };
  const a = await serveHub(hubDef, { backplane: bus.connect(), ...limits });
  const b = await serveHub(hubDef, { backplane: bus.connect(), ...limits });
  const client = await connect(b.url, "/hub");
  try {
    const id = await client.invoke<string>("Whoami");
    await client.invoke("Join", "first");
    await assert.rejects(
      a.hub.groups.add(id, "second"),
      /A connection may join at most 1 groups/,
    );
    // Within the cap a remote add still resolves, and removes too.
    await a.hub.groups.remove(id, "first");
    await a.hub.groups.add(id, "second");
  } finally {
    await client.stop();
    await a.close();
    await b.close();
  }
});
