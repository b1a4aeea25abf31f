/**
 * The feed history belongs to one server: two apps started in one process
 * each stream back only what their own feed sent (and what was pushed into
 * their own history), through the real client and `typedConnection`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { typedConnection } from "../hub/mod.ts";
import type {
  ChartClient,
  ChartPoint,
  ChartServer,
  WireSeries,
} from "../chart/chart_contract.ts";
import { startTestServer } from "./helpers/app_server.ts";
import {
  collect,
  connect,
  drainStream,
  type signalR,
} from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

function typedClient(connection: signalR.HubConnection) {
  return typedConnection<ChartServer, ChartClient>(connection);
}

const same = (a: readonly WireSeries[], b: readonly WireSeries[]) =>
  JSON.stringify(a) === JSON.stringify(b);

Deno.test("two servers in one process keep separate feed histories", async () => {
  const busy = await startTestServer({ feedIntervalMs: 20 });
  // A feed too slow to tick during the test: its history is what we push.
  const quiet = await startTestServer({ feedIntervalMs: 3_600_000 });
  const toBusy = typedClient(await connect(busy.url));
  const toQuiet = typedClient(await connect(quiet.url));
  try {
    const sent = collect<WireSeries[]>(toBusy.connection, "transferchartdata");
    await waitUntil(() => sent.length >= 3, "three updates from the busy feed");
    const marker: ChartPoint = { at: 1, series: [{ label: "q", data: [42] }] };
    quiet.history.push(marker.series, marker.at);

    // The quiet server streams its one point, none of the busy feed's.
    assert.deepEqual(
      await drainStream(toQuiet.stream("StreamChartHistory", 600)),
      [
        marker,
      ],
    );

    // The busy server streams what it sent, and not the quiet one's point.
    const busyPoints = await drainStream(
      toBusy.stream("StreamChartHistory", 600),
    );
    for (const update of sent.slice(0, 3)) {
      assert.ok(busyPoints.some((p) => same(p.series, update)));
    }
    assert.ok(!busyPoints.some((p) => same(p.series, marker.series)));
  } finally {
    await toBusy.connection.stop();
    await toQuiet.connection.stop();
    await busy.close();
    await quiet.close();
  }
});
