/**
 * The routing half of a hub server, wired once: the lifetime manager on
 * its backplane, group membership, client results (answered across
 * processes when there is a backplane) and the `clients` facades that
 * send through them. Kept apart from `HubServer`, which deals with
 * requests and connections.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import type { Logger } from "./logger.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type { HubConnection } from "./connection.ts";
import { LifetimeManager } from "./lifetime_manager.ts";
import { MemoryBackplane } from "./backplane/memory.ts";
import { ClientResults } from "./client_results.ts";
import { HubClients, HubGroups } from "./clients.ts";

/** What `buildRouting` wires together. */
export interface HubRouting {
  readonly manager: LifetimeManager<HubConnection>;
  readonly groups: HubGroups;
  readonly results: ClientResults;
  /** Sends reaching every process. */
  readonly clients: HubClients;
  /** Sends reaching this process's connections only. */
  readonly localClients: HubClients;
}

/** Routing for one hub: the memory backplane unless `options` names one. */
export function buildRouting(
  options: ResolvedHubOptions,
  logger: Logger,
  telemetry: HubTelemetry,
): HubRouting {
  const manager = new LifetimeManager<HubConnection>(
    options.backplane ?? new MemoryBackplane(),
    options,
    logger,
    telemetry,
  );
  const groups = new HubGroups(manager, options.maxGroupNameLength);
  const results = new ClientResults(
    (id) => manager.connections.get(id),
    options,
  );
  if (options.backplane) {
    // Client results reach connections of other processes too.
    manager.serveResults(results.connectRemote({
      id: manager.id,
      publish: (message) => manager.backplane.publish(message),
    }));
  }
  return {
    manager,
    groups,
    results,
    clients: new HubClients(manager, results),
    localClients: new HubClients(manager, results, true),
  };
}
