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

import type { HubContext } from "./hub_definition.ts";

/** One call as a filter sees it. */
export interface HubInvocation {
  /** The method's name as the hub declares it (not as the client spelt it). */
  readonly method: string;
  /** The client's arguments (upload streams last). */
  readonly args: readonly unknown[];
}

/** Wraps calls and lifetime hooks of a hub; every part is optional. */
export interface HubFilter {
  /**
   * Around one method call. `next(args?)` runs the rest of the chain (with
   * other arguments if given) and resolves with the method's result, or
   * rejects with its error. What this returns is the call's result.
   */
  invoke?(
    ctx: HubContext,
    invocation: HubInvocation,
    next: (args?: readonly unknown[]) => Promise<unknown>,
  ): unknown;
  /** Around `onConnected`; a throw closes the connection. */
  onConnected?(ctx: HubContext, next: () => Promise<void>): unknown;
  /** Around `onDisconnected`; `error` is why the connection ended. */
  onDisconnected?(
    ctx: HubContext,
    error: Error | undefined,
    next: () => Promise<void>,
  ): unknown;
}

// deno-lint-ignore no-explicit-any
type Method = (ctx: HubContext, ...args: any[]) => unknown;

/** Runs a method through the filters; null when no filter wraps calls. */
export type Invoker = (
  ctx: HubContext,
  method: string,
  fn: Method,
  args: readonly unknown[],
) => Promise<unknown>;

/**
 * The call chain of `filters`, or null when none has `invoke`. Each step
 * is a plain function handing back a promise (what `next` promises), not
 * an `async` one: on the request/response hot path every call goes
 * through here, and an async frame per step costs a promise and a
 * microtask hop of its own.
 */
export function invocationChain(filters: readonly HubFilter[]): Invoker | null {
  const chain = filters.filter((f) => f.invoke !== undefined);
  if (chain.length === 0) return null;
  return (ctx, method, fn, args) => {
    const step = (i: number, current: readonly unknown[]): Promise<unknown> => {
      try {
        // A thenable is adopted and a throw rejects, as `await` would.
        if (i === chain.length) return Promise.resolve(fn(ctx, ...current));
        return Promise.resolve(chain[i].invoke!(
          ctx,
          { method, args: current },
          (next) => step(i + 1, next ?? current),
        ));
      } catch (error) {
        return Promise.reject(error);
      }
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
      else await chain[i].onConnected!(ctx, () => step(i + 1));
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
      else await chain[i].onDisconnected!(ctx, error, () => step(i + 1));
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
