/**
 * Hub filters, as ASP.NET's `IHubFilter`: code that wraps every method
 * call, `onConnected` and `onDisconnected` of a hub. A filter may change
 * the arguments, refuse a call by throwing a `HubError`, or observe the
 * result and errors. Server-wide filters (`HubServer` option `filters`)
 * run outside the hub's own (`defineHub({ filters })`), each list in
 * order.
 *
 * @example
 * ```ts
 * const timing: HubFilter = {
 *   async invoke(ctx, invocation, next) {
 *     const started = performance.now();
 *     try {
 *       return await next();
 *     } finally {
 *       console.log(invocation.method, performance.now() - started);
 *     }
 *   },
 * };
 * ```
 *
 * @module
 */

import type { HubContext, HubFilter } from "./hub_definition.ts";

export type { HubFilter, HubInvocation } from "./hub_definition.ts";

// deno-lint-ignore no-explicit-any
type Method = (ctx: HubContext, ...args: any[]) => unknown;

/** Runs a method through the filters; null when no filter wraps calls. */
export type Invoker = (
  ctx: HubContext,
  method: string,
  fn: Method,
  args: readonly unknown[],
) => Promise<unknown>;

/** The call chain of `filters`, or null when none has `invoke`. */
export function invocationChain(filters: readonly HubFilter[]): Invoker | null {
  const chain = filters.filter((f) => f.invoke !== undefined);
  if (chain.length === 0) return null;
  return (ctx, method, fn, args) => {
    const step = async (
      i: number,
      current: readonly unknown[],
    ): Promise<unknown> => {
      if (i === chain.length) return await fn(ctx, ...current);
      const invocation = { method, args: current };
      return await chain[i].invoke?.(
        ctx,
        invocation,
        (next) => step(i + 1, next ?? current),
      );
    };
    return step(0, args);
  };
}

/** `onConnected` of the hub wrapped by the filters' `onConnected`. */
export function connectedChain(
  filters: readonly HubFilter[],
  hook: ((ctx: HubContext) => unknown) | undefined,
): (ctx: HubContext) => Promise<void> {
  const chain = filters.filter((f) => f.onConnected !== undefined);
  return (ctx) => {
    const step = async (i: number): Promise<void> => {
      if (i === chain.length) await hook?.(ctx);
      else await chain[i].onConnected?.(ctx, () => step(i + 1));
    };
    return step(0);
  };
}

/** `onDisconnected` of the hub wrapped by the filters' `onDisconnected`. */
export function disconnectedChain(
  filters: readonly HubFilter[],
  hook: ((ctx: HubContext, error?: Error) => unknown) | undefined,
): (ctx: HubContext, error: Error | undefined) => Promise<void> {
  const chain = filters.filter((f) => f.onDisconnected !== undefined);
  return (ctx, error) => {
    const step = async (i: number): Promise<void> => {
      if (i === chain.length) await hook?.(ctx, error);
      else await chain[i].onDisconnected?.(ctx, error, () => step(i + 1));
    };
    return step(0);
  };
}

/** Checks filters at startup, so a typo fails before the first call. */
export function checkFilters(filters: readonly HubFilter[]): void {
  for (const filter of filters) {
    if (typeof filter !== "object" || filter === null) {
      throw new TypeError("A hub filter must be an object");
    }
    for (const key of ["invoke", "onConnected", "onDisconnected"] as const) {
      const part = filter[key];
      if (part !== undefined && typeof part !== "function") {
        throw new TypeError(`A hub filter's ${key} must be a function`);
      }
    }
  }
}
