/**
 * The Switchboard benchmark target: a hub with the two methods the load
 * generator calls, served the way an application serves it. `Broadcast`
 * fans a payload out to every connection (invoked without an id, so no
 * completion is sent); `Echo` returns its argument to the caller only.
 * Logging is at "warn" so 10,000 connection events are not written to a
 * pipe during the run (the other targets log nothing either), and the
 * per-address cap is raised because every load client shares 127.0.0.1.
 *
 * Prints `LISTENING <port>` once bound to 127.0.0.1 on an ephemeral port.
 *
 * @module
 */

import { consoleLogger, defineHub, HubServer } from "../hub/mod.ts";
import { serveTarget } from "./target_serve.ts";

const hub = defineHub({
  methods: {
    Broadcast(ctx, payload: string) {
      ctx.clients.all.send("tick", payload);
    },
    Echo(_ctx, payload: string) {
      return payload;
    },
  },
});

const server = new HubServer(hub, {
  path: "/hub",
  logger: consoleLogger("warn"),
  maxConnectionsPerAddress: 20_000,
});
await server.start();

serveTarget(
  (request, info) =>
    server.matches(new URL(request.url))
      ? server.handle(request, info)
      : undefined,
  () => server.shutdown(),
);
