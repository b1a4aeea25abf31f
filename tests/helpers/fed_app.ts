/**
 * The real app with a well-behaved official client watching its chart
 * feed, for tests that abuse the server with raw sockets: the watcher must
 * still be fed, and still get answers, after the abuse.
 *
 * @module
 */

import { assertEquals } from "./assert.ts";
import { startTestServer } from "./app_server.ts";
import { collect, connect } from "./signalr_client.ts";
import { waitUntil } from "./wait_until.ts";

/**
 * Runs `body` with the hub's URL (`…/chart`) and the watcher's feed count,
 * then checks the watcher is still fed and answered.
 */
export async function withFedApp(
  body: (url: string, feedCount: () => number) => Promise<void>,
): Promise<void> {
  const app = await startTestServer({ feedIntervalMs: 50 });
  const good = await connect(app.url);
  const feed = collect(good, "transferchartdata");
  try {
    await body(app.url + "/chart", () => feed.length);
    // The good client is still fed after the abuse.
    const before = feed.length;
    await waitUntil(() => feed.length >= before + 2, "feed after abuse");
    assertEquals(await good.invoke("GetConnectionId"), good.connectionId);
  } finally {
    await good.stop();
    await app.close();
  }
}
