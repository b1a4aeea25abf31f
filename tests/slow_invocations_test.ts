/**
 * The chart app's slow-invocation filter, with the official client: a
 * call slower than the threshold is logged with its method and
 * connection, a fast one is not. The clock is stubbed, so no real time is
 * measured.
 */

import assert from "node:assert/strict";
import type { LogFields, Logger } from "../hub/logger.ts";
import { chartHub } from "../chart/chart_hub.ts";
import { ChartHistory } from "../chart/chart_history.ts";
import { slowInvocationFilter } from "../chart/slow_invocations.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { connect } from "./helpers/signalr_client.ts";

Deno.test("slow invocations of the chart hub are logged, fast ones not", async () => {
  const events: { event: string; fields?: LogFields }[] = [];
  const logger: Logger = {
    log: (_level, event, fields) => events.push({ event, fields }),
  };
  // Each call reads the clock twice: 5 ms, then 400 ms.
  const ticks = [0, 5, 1000, 1400];
  const filter = slowInvocationFilter({
    logger,
    thresholdMs: 250,
    now: () => ticks.shift()!,
  });
  const app = await serveHub(chartHub(new ChartHistory()), {
    path: "/chart",
    logger,
    filters: [filter],
  });
  const client = await connect(app.url, "/chart");
  try {
    const id = await client.invoke("GetConnectionId");
    assert.equal(id, client.connectionId);
    assert.equal(
      events.filter((e) => e.event === "hub.slow_invocation").length,
      0,
    );
    await client.invoke("getconnectionid");
    const slow = events.filter((e) => e.event === "hub.slow_invocation");
    assert.deepEqual(slow.map((e) => e.fields), [
      { method: "GetConnectionId", connectionId: client.connectionId, ms: 400 },
    ]);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("the app runs the slow-invocation filter on its chart hub", async () => {
  const app = await startTestServer();
  try {
    assert.equal(app.hub.options.filters.length, 1);
    assert.equal(typeof app.hub.options.filters[0].invoke, "function");
  } finally {
    await app.close();
  }
});
