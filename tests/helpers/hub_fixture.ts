/**
 * A hub of a test's own, served on 127.0.0.1 with a free port, for tests
 * of library behaviour the chart hub does not exercise.
 *
 * @module
 */

import {
  type HubDefinition,
  HubServer,
  type HubServerOptions,
  silentLogger,
} from "../../hub/mod.ts";

/** A served test hub; `close()` in `finally`. */
export interface HubFixture {
  readonly url: string;
  readonly hub: HubServer;
  close(): Promise<void>;
}

/** Serves `definition` at `/hub` (or `options.path`). */
export async function serveHub(
  definition: HubDefinition,
  options: Partial<HubServerOptions> = {},
): Promise<HubFixture> {
  const hub = new HubServer(definition, {
    path: "/hub",
    logger: silentLogger,
    ...options,
  });
  await hub.start();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) =>
      hub.matches(new URL(req.url))
        ? hub.handle(req, info)
        : new Response("Not found", { status: 404 }),
  );
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    hub,
    async close() {
      await hub.shutdown();
      await server.shutdown();
    },
  };
}
