/**
 * `GET /metrics`: the hub's counters in the Prometheus text format.
 *
 * @module
 */

import { define } from "../define.ts";

/** Metrics. */
export const handler = define.handlers({
  GET(ctx) {
    return new Response(ctx.state.hub.metricsText(), {
      headers: { "content-type": "text/plain; version=0.0.4" },
    });
  },
});
