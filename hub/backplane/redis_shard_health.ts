/**
 * Which cluster nodes the backplane cannot reach, from node-redis's
 * per-node events, for `status()` and the shard up/down log events.
 *
 * @module
 */

import type { Logger } from "../logger.ts";
import type { ClusterClient } from "./redis_cluster_client.ts";
import { redactUrlsInText } from "./redis_channels.ts";

interface NodeInfo {
  readonly host: string;
  readonly port: number;
}

interface Down {
  readonly since: number;
  error: string;
  attempts: number;
}

/**
 * Down nodes by address. Bounded by the cluster's size: an entry goes on
 * the node's ready, or when the client drops the node from its topology
 * (a failed master replaced by its replica).
 *
 * Only a reconnect marks a node down. node-redis also reports, as the
 * same error event, a reply it could not match to a command (it gets one
 * after losing a slot-moved notice) while the connection stays up; such a
 * node would never report ready again, so it stayed down for good.
 */
export class ShardHealth {
  readonly #log: Logger;
  readonly #down = new Map<string, Down>();
  /** Each node's last error, for the detail once it goes down; same bound. */
  readonly #lastError = new Map<string, string>();

  /** Logs shard events to `log`. */
  constructor(log: Logger) {
    this.#log = log;
  }

  /** True while every node the client uses is reachable. */
  get allUp(): boolean {
    return this.#down.size === 0;
  }

  /** Follows `cluster`'s node events; `onReady` after a node comes back. */
  watch(cluster: ClusterClient, onReady: () => void): void {
    cluster.on("node-error", (error: unknown, node: NodeInfo) => {
      const text = error instanceof Error ? error.message : String(error);
      this.#noteError(node, redactUrlsInText(text));
    });
    cluster.on("node-reconnecting", (node: NodeInfo) => {
      const address = `${node.host}:${node.port}`;
      const down = this.#markDown(node, this.#lastError.get(address) ?? "");
      down.attempts++;
    });
    cluster.on("node-ready", (node: NodeInfo) => {
      if (this.#markUp(node, "ready")) onReady();
    });
    cluster.on("node-disconnect", (node: NodeInfo) => {
      // Closed for good: dropped from the topology, or the client closed.
      this.#markUp(node, "left");
    });
  }

  /** `shard 127.0.0.1:7001 down since …: error; 3 reconnect attempts`. */
  describeDown(): string {
    return [...this.#down].map(([address, d]) =>
      `shard ${address} down since ${new Date(d.since).toISOString()}: ` +
      `${d.error || "reconnecting"}; ${d.attempts} reconnect attempts`
    ).join("; ");
  }

  #noteError(node: NodeInfo, error: string): void {
    const address = `${node.host}:${node.port}`;
    this.#lastError.set(address, error);
    const down = this.#down.get(address);
    if (down) down.error = error;
    else {
      this.#log.log("debug", "backplane.redis_cluster.node_error", {
        address,
        error,
      });
    }
  }

  #markDown(node: NodeInfo, error: string): Down {
    const address = `${node.host}:${node.port}`;
    let down = this.#down.get(address);
    if (!down) {
      down = { since: Date.now(), error, attempts: 0 };
      this.#down.set(address, down);
      this.#log.log("warn", "backplane.redis_cluster.shard_down", {
        address,
        error,
      });
    }
    if (error) down.error = error;
    return down;
  }

  #markUp(node: NodeInfo, how: "ready" | "left"): boolean {
    const address = `${node.host}:${node.port}`;
    this.#lastError.delete(address);
    const down = this.#down.get(address);
    if (!down) return false;
    this.#down.delete(address);
    this.#log.log("info", "backplane.redis_cluster.shard_up", {
      address,
      how,
      downMs: Date.now() - down.since,
    });
    return true;
  }
}
