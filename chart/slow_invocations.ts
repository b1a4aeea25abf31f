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
  /**
   * The clock, in ms. Default `Date.now`: a millisecond is plenty against
   * a 250 ms threshold, and it costs a fraction of `performance.now`,
   * which this filter reads twice per call.
   */
  readonly now?: () => number;
}

/** A filter logging calls slower than `thresholdMs` (errors included). */
export function slowInvocationFilter(
  options: SlowInvocationOptions,
): HubFilter {
  const threshold = options.thresholdMs ?? 250;
  const now = options.now ?? Date.now;
  const finish = (started: number, method: string, connectionId: string) => {
    const ms = Math.round(now() - started);
    if (ms > threshold) {
      options.logger.log("warn", "hub.slow_invocation", {
        method,
        connectionId,
        ms,
      });
    }
  };
  // `invokeSync`: the filter wraps every call of the chart hub, and a
  // method that answers at once (most of them) is then answered with no
  // promise at all; a pending result is timed when it settles.
  return {
    invokeSync(ctx, invocation, next) {
      const started = now();
      let result: unknown;
      try {
        result = next();
      } catch (error) {
        finish(started, invocation.method, ctx.connectionId);
        throw error;
      }
      if (!(result instanceof Promise)) {
        finish(started, invocation.method, ctx.connectionId);
        return result;
      }
      const done = () => finish(started, invocation.method, ctx.connectionId);
      return result.then((value) => {
        done();
        return value;
      }, (error) => {
        done();
        throw error;
      });
    },
  };
}
