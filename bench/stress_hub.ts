/**
 * The hub the stress runner attacks, served in-process on 127.0.0.1:0 by
 * the real `HubServer`, with deadlines short enough that misbehaving
 * clients are caught within a run.
 *
 * @module
 */

import {
  defineHub,
  type HubContext,
  HubServer,
  type HubServerOptions,
  silentLogger,
} from "../hub/mod.ts";

/** A running stress target. */
export interface StressServer {
  readonly url: string;
  readonly hub: HubServer;
  close(): Promise<void>;
}

const hub = defineHub({
  methods: {
    Join: (ctx: HubContext, group: string) =>
      ctx.groups.add(ctx.connectionId, group),
    Echo: (_ctx: HubContext, value: unknown) => value,
  },
});

/**
 * Deadlines for a run: silent clients go after 4 s, stalled handshakes
 * after 1 s, unused negotiations and dropped stateful sockets after 2 s. Every client is on loopback,
 * so the per-address cap is off.
 */
export const stressHubOptions: Partial<HubServerOptions> = {
  keepAliveIntervalMs: 1_000,
  clientTimeoutMs: 4_000,
  handshakeTimeoutMs: 1_000,
  negotiateTimeoutMs: 2_000,
  statefulReconnectWindowMs: 2_000,
  maxConnectionsPerAddress: 0,
};

/** Starts the stress hub at `/hub`. */
export async function startStressServer(
  options: Partial<HubServerOptions> = {},
): Promise<StressServer> {
  const server = new HubServer(hub, {
    path: "/hub",
    logger: silentLogger,
    ...stressHubOptions,
    ...options,
  });
  await server.start();
  const http = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => {
      if (server.matches(new URL(request.url))) {
        return server.handle(request, info);
      }
      return new Response("Not found", { status: 404 });
    },
  );
  return {
    url: `http://127.0.0.1:${(http.addr as Deno.NetAddr).port}`,
    hub: server,
    async close() {
      await server.shutdown();
      await http.shutdown();
    },
  };
}
