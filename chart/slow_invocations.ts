/**
 * A hub filter the chart app runs server-wide: it logs every method call
 * that takes longer than a threshold (`hub.slow_invocation`, with the
 * method, the connection and the time taken), so a slow handler shows up
 * in the logs before users notice.
 *
 * @module
 */

import type { HubFilter, Logger } from "../hub/mod.ts";

/** Options of `slowInvocationFilter`. */
export interface SlowInvocationOptions {
  /** Where the event goes. */
  readonly logger: Logger;
  /**
   * Calls slower than this are logged. Default 250 ms: a chart method
   * answers in well under a millisecond, so this only fires for a real
   * stall (a slow client-result wait, a blocked event loop).
   */
  readonly thresholdMs?: number;
  /** The clock, in ms. Default `performance.now`. */
  readonly now?: () => number;
}

/** A filter logging calls slower than `thresholdMs` (errors included). */
export function slowInvocationFilter(
  options: SlowInvocationOptions,
): HubFilter {
  const threshold = options.thresholdMs ?? 250;
  const now = options.now ?? (() => performance.now());
  // Not `async`: the filter wraps every call of the chart hub, and one
  // promise chained on `next()` costs less than an async frame around it.
  return {
    invoke(ctx, invocation, next) {
      const started = now();
      const done = () => {
        const ms = Math.round(now() - started);
        if (ms > threshold) {
          options.logger.log("warn", "hub.slow_invocation", {
            method: invocation.method,
            connectionId: ctx.connectionId,
            ms,
          });
        }
      };
      return next().then((result) => {
        done();
        return result;
      }, (error) => {
        done();
        throw error;
      });
    },
  };
}
