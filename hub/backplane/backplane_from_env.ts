/**
 * Picks the backplane from the environment: `REDIS_URL` turns on Redis, so
 * several processes act as one hub; without it the hub keeps its private
 * in-memory backplane and needs nothing running.
 *
 * @module
 */

import type { Backplane } from "./backplane.ts";
import type { Logger } from "../logger.ts";
import { redactRedisUrl } from "./redis_channels.ts";

/** What the caller decides; the URL comes from the environment. */
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
 * The Redis backplane when `REDIS_URL` is set, else `undefined` (the hub's
 * default in-memory one). The Redis client is loaded only when used, so a
 * single process never pays for it.
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
  if (!url) return undefined;
  if (!/^rediss?:\/\//.test(url)) {
    throw new TypeError(
      `REDIS_URL must start with redis:// or rediss://, got ${
        redactRedisUrl(url)
      }`,
    );
  }
  const { RedisBackplane } = await import("./redis.ts");
  return new RedisBackplane({
    url,
    prefix: env.REDIS_PREFIX?.trim() || options.prefix,
    logger: options.logger,
  });
}
