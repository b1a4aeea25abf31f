/**
 * `GET /healthz`: 200 `{"status":"ok",…}` while the hub accepts
 * connections, 503 `"closing"` once it drains (so a load balancer stops
 * sending new clients to a stopping server).
 *
 * @module
 */

import { define } from "../define.ts";

/** Health. */
export const handler = define.handlers({
  GET(ctx) {
    const health = ctx.state.hub.health();
    return Response.json({
      status: health.accepting ? "ok" : "closing",
      connections: health.connections,
      backplane: health.backplane,
    }, { status: health.accepting ? 200 : 503 });
  },
});
