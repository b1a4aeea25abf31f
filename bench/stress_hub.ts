/**
 * The hub the stress runner attacks, served in-process on 127.0.0.1:0 by
 * the tests' `serveHub`, with deadlines short enough that misbehaving
 * clients are caught within a run.
 *
 * @module
 */

import {
  defineHub,
  type HubContext,
  type HubServerOptions,
} from "../hub/mod.ts";
import { type HubFixture, serveHub } from "../tests/helpers/hub_fixture.ts";

/** A running stress target. */
export type StressServer = HubFixture;

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

/** Starts the stress hub at `/hub`, served as the test hubs are. */
export function startStressServer(
  options: Partial<HubServerOptions> = {},
): Promise<StressServer> {
  return serveHub(hub, { ...stressHubOptions, ...options });
}
