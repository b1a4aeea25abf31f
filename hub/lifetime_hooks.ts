/**
 * A hub's `onConnected` and `onDisconnected`, wrapped by the filters and,
 * when OpenTelemetry is on, by their spans. A failing `onDisconnected` is
 * logged; what a failing `onConnected` means is the handler's call.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { HubContext, HubDefinition } from "./hub_definition.ts";
import type { HubFilter } from "./hub_filters.ts";
import { connectedChain, disconnectedChain } from "./hub_filters.ts";
import type { HubTelemetry } from "./telemetry.ts";
import type { Logger } from "./logger.ts";

/** The two lifetime hooks of one hub. */
export class LifetimeHooks {
  readonly #hub: HubDefinition;
  readonly #onConnected: (ctx: HubContext) => Promise<void>;
  readonly #onDisconnected: (ctx: HubContext, error?: Error) => Promise<void>;
  /** Null while OpenTelemetry is off. */
  readonly #telemetry: HubTelemetry | null;
  readonly #logger: Logger;

  /** The hooks of `hub`, inside `filters` (server-wide ones outermost). */
  constructor(
    hub: HubDefinition,
    filters: readonly HubFilter[],
    logger: Logger,
    telemetry?: HubTelemetry,
  ) {
    this.#hub = hub;
    const all = [...filters, ...(hub.filters ?? [])];
    this.#onConnected = connectedChain(all, hub.onConnected?.bind(hub));
    this.#onDisconnected = disconnectedChain(
      all,
      hub.onDisconnected?.bind(hub),
    );
    this.#telemetry = telemetry?.enabled ? telemetry : null;
    this.#logger = logger;
  }

  /** Runs `onConnected`; rejects when it throws. */
  connected(connection: HubConnection, ctx: HubContext): void | Promise<void> {
    const telemetry = this.#telemetry;
    if (telemetry === null || !this.#hub.onConnected) {
      return this.#onConnected(ctx);
    }
    return telemetry.hook(
      connection,
      "OnConnectedAsync",
      () => this.#onConnected(ctx),
    );
  }

  /** Runs `onDisconnected` in a later microtask; never rejects. */
  disconnected(
    connection: HubConnection,
    ctx: HubContext,
    error: Error | undefined,
  ): Promise<void> {
    const telemetry = this.#telemetry;
    const run = () => this.#onDisconnected(ctx, error);
    return Promise.resolve()
      .then(() =>
        telemetry && this.#hub.onDisconnected
          ? telemetry.hook(connection, "OnDisconnectedAsync", run)
          : run()
      )
      .catch((e) =>
        this.#logger.log("error", "hub.on_disconnected_failed", { e })
      );
  }
}
