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

/** Anything mounted at a path, as hubs and connection servers are. */
export interface Mountable {
  matches(url: URL): boolean;
  handle(request: Request, info?: Deno.ServeHandlerInfo): Promise<Response>;
  shutdown(): Promise<void>;
  metricsText?(): string;
}

/**
 * Serves a started endpoint on 127.0.0.1 with a free port, plus
 * `/metrics` when it has them. `close()` shuts both down.
 */
export function serveEndpoint(
  endpoint: Mountable,
): { url: string; close(): Promise<void> } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => {
      const url = new URL(req.url);
      if (endpoint.matches(url)) return endpoint.handle(req, info);
      if (url.pathname === "/metrics" && endpoint.metricsText) {
        return new Response(endpoint.metricsText());
      }
      return new Response("Not found", { status: 404 });
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await endpoint.shutdown();
      await server.shutdown();
    },
  };
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
  const served = serveEndpoint(hub);
  return { url: served.url, hub, close: served.close };
}
