/**
 * What both Redis backplanes (single node and cluster) share about
 * reconnecting: the backoff curve and how options merge with defaults.
 *
 * @module
 */

/** Reconnect delays: first delay, doubled per attempt, up to the longest. */
export interface BackoffSettings {
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
}

/**
 * The delay before reconnect attempt `retries`: doubling from the minimum
 * to the maximum, with ±20 % jitter that spreads the reconnect storm of
 * many processes after a Redis restart.
 */
export function reconnectDelay(
  retries: number,
  { minReconnectDelayMs: min, maxReconnectDelayMs: max }: BackoffSettings,
): number {
  const delay = Math.min(max, min * 2 ** Math.min(retries, 20));
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}
