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

/**
 * Runs a method through the filters: the method's result, or a promise of
 * it (always a promise unless every filter has `invokeSync`).
 */
export type Invoker = (
  ctx: HubContext,
  method: string,
  fn: Method,
  args: readonly unknown[],
) => unknown;

/**
 * The call chain of `filters`, or null when none wraps calls. Each step
 * is a plain function, not an `async` one: on the request/response hot
 * path every call goes through here, and an async frame per step costs a
 * promise and a microtask hop of its own.
 */
export function invocationChain(filters: readonly HubFilter[]): Invoker | null {
  const chain = filters.filter((f) =>
    f.invoke !== undefined || f.invokeSync !== undefined
  );
  if (chain.length === 0) return null;
  const syncSteps = chain.flatMap((f) =>
    f.invokeSync ? [f.invokeSync.bind(f)] : []
  );
  if (syncSteps.length === chain.length) return syncChain(syncSteps);
  return (ctx, method, fn, args) => {
    const step = (i: number, current: readonly unknown[]): Promise<unknown> => {
      try {
        // A thenable is adopted and a throw rejects, as `await` would.
        if (i === chain.length) return Promise.resolve(fn(ctx, ...current));
        const filter = chain[i];
        const next = (given?: readonly unknown[]) =>
          step(i + 1, given ?? current);
        const invocation = { method, args: current };
        return Promise.resolve(
          filter.invoke
            ? filter.invoke(ctx, invocation, next)
            : filter.invokeSync?.(ctx, invocation, next),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return step(0, args);
  };
}

type SyncStep = NonNullable<HubFilter["invokeSync"]>;

/** The chain when every filter has `invokeSync`: results pass as they are. */
function syncChain(chain: readonly SyncStep[]): Invoker {
  return (ctx, method, fn, args) => {
    const step = (i: number, current: readonly unknown[]): unknown => {
      if (i === chain.length) return fn(ctx, ...current);
      return chain[i](
        ctx,
        { method, args: current },
        (given) => step(i + 1, given ?? current),
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
    const parts = ["invoke", "invokeSync", "onConnected", "onDisconnected"];
    for (const key of parts as (keyof HubFilter)[]) {
      const part = filter[key];
      if (part !== undefined && typeof part !== "function") {
        throw new TypeError(`A hub filter's ${key} must be a function`);
      }
    }
  }
}
