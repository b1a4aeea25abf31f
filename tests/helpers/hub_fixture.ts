/**
 * A hub of a test's own, served on 127.0.0.1 with a free port, for tests
 * of library behaviour the chart hub does not exercise. The fault and raw
 * test hubs are served through it too.
 *
 * @module
 */

import {
  consoleLogger,
  type HubDefinition,
  HubServer,
  type HubServerOptions,
  type Logger,
  silentLogger,
} from "../../hub/mod.ts";

/** A served test hub; `close()` in `finally`. */
export interface HubFixture {
  readonly url: string;
  readonly hub: HubServer;
  close(): Promise<void>;
}

/** Quiet, unless TEST_LOG is set to see what a failing test's hub did. */
export function testLogger(): Logger {
  return Deno.env.get("TEST_LOG") ? consoleLogger("debug") : silentLogger;
}

/**
 * Serves `definition` at `/hub` (or `options.path`), plus `/metrics` as
 * the app serves it.
 */
export async function serveHub(
  definition: HubDefinition,
  options: Partial<HubServerOptions> = {},
): Promise<HubFixture> {
  const hub = new HubServer(definition, {
    path: "/hub",
    logger: testLogger(),
    ...options,
  });
  await hub.start();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => {
      const url = new URL(req.url);
      if (hub.matches(url)) return hub.handle(req, info);
      if (url.pathname === "/metrics") return new Response(hub.metricsText());
      return new Response("Not found", { status: 404 });
    },
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
