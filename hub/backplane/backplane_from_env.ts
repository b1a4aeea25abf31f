/**
 * Picks the backplane from the environment: `REDIS_URL` turns on Redis,
 * `REDIS_CLUSTER_URLS` a Redis Cluster, so several processes act as one
 * hub; without either the hub keeps its private in-memory backplane and
 * needs nothing running.
 *
 * @module
 */

import type { Backplane } from "./backplane.ts";
import type { Logger } from "../logger.ts";
import { redactRedisUrl } from "./redis_channels.ts";

/** What the caller decides; the URLs come from the environment. */
export interface BackplaneEnvOptions {
  /**
   * Channel prefix naming this hub, e.g. `"switchboard:chart"`;
   * `REDIS_PREFIX` overrides it (two apps on one Redis).
   */
  readonly prefix: string;
  /** Logger for backplane events. */
  readonly logger?: Logger;
}

/**
 * The Redis backplane when `REDIS_URL` is set, the Redis Cluster one
 * (sharded pub/sub) when `REDIS_CLUSTER_URLS` lists seed nodes
 * (comma-separated), else `undefined` (the hub's default in-memory one).
 * Both set is a mistake and throws. The Redis client is loaded only when
 * used, so a single process never pays for it.
 *
 * @example
 * ```ts
 * const backplane = await backplaneFromEnv(Deno.env.toObject(), {
 *   prefix: "switchboard:chart",
 * });
 * new HubServer(hub, { path: "/chart", backplane });
 * ```
 */
export async function backplaneFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: BackplaneEnvOptions,
): Promise<Backplane | undefined> {
  const url = env.REDIS_URL?.trim();
  const clusterUrls = (env.REDIS_CLUSTER_URLS ?? "").split(",")
    .map((u) => u.trim()).filter((u) => u !== "");
  if (url && clusterUrls.length > 0) {
    throw new TypeError(
      "Set REDIS_URL (one Redis) or REDIS_CLUSTER_URLS (a Redis Cluster), not both",
    );
  }
  const prefix = env.REDIS_PREFIX?.trim() || options.prefix;
  if (clusterUrls.length > 0) {
    clusterUrls.forEach((u) => checkScheme("REDIS_CLUSTER_URLS", u));
    const { RedisClusterBackplane } = await import("./redis_cluster.ts");
    return new RedisClusterBackplane({
      urls: clusterUrls,
      prefix,
      logger: options.logger,
    });
  }
  if (!url) return undefined;
  checkScheme("REDIS_URL", url);
  const { RedisBackplane } = await import("./redis.ts");
  return new RedisBackplane({ url, prefix, logger: options.logger });
}

function checkScheme(name: string, url: string): void {
  if (!/^rediss?:\/\//.test(url)) {
    throw new TypeError(
      `${name} must start with redis:// or rediss://, got ${
        redactRedisUrl(url)
      }`,
    );
  }
}
