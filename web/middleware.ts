/**
 * Middleware, as in Fresh 2: a function of the context that returns a
 * Response, usually after `await ctx.next()`.
 *
 * @module
 */

import type { Context } from "./context.ts";

/** One middleware. */
export type Middleware<State> = (
  ctx: Context<State>,
) => Response | Promise<Response>;

/** Fresh's other name for the same type. */
export type MiddlewareFn<State> = Middleware<State>;

/**
 * Runs `chain` in order; the last one's `ctx.next()` is `tail`. Each step
 * gets its own `next`, so a middleware that awaits `next()` resumes the
 * chain where it left it.
 */
export function runChain<State>(
  ctx: Context<State>,
  chain: readonly Middleware<State>[],
  tail: () => Promise<Response>,
): Promise<Response> {
  const step = async (i: number): Promise<Response> => {
    if (i === chain.length) return await tail();
    const next = () => step(i + 1);
    ctx.next = next;
    const result = await chain[i](ctx);
    if (!(result instanceof Response)) {
      throw new TypeError(
        `Middleware ${
          chain[i].name || i
        } returned ${typeof result}, not a Response`,
      );
    }
    return result;
  };
  return step(0);
}
