/**
 * `createDefine<State>()`, as in Fresh 2: identity functions that only add
 * types, so handlers, pages, layouts and middleware see the app's state.
 *
 * @module
 */

import type { AnyComponent } from "preact";
import type { HandlerByMethod, HandlerFn, RouteHandler } from "./handlers.ts";
import type { Middleware } from "./middleware.ts";
import type { PageProps } from "./page_props.ts";

/** The define helpers for one state type. */
export interface Define<State> {
  /** A route handler (function or `{ GET, POST, … }`), returned as-is. */
  handlers<
    Data,
    Handlers extends RouteHandler<Data, State> = RouteHandler<Data, State>,
  >(handlers: Handlers): Handlers;
  /** A page component; `define.page<typeof handler>` types `props.data`. */
  page<
    // deno-lint-ignore no-explicit-any
    Handler extends RouteHandler<any, State> = never,
    Data = Handler extends HandlerFn<infer D, State> ? D
      : Handler extends HandlerByMethod<infer D, State> ? D
      : never,
  >(render: AnyComponent<PageProps<Data, State>>): typeof render;
  /** A `_layout` or `_app` component. */
  layout(
    render: AnyComponent<PageProps<unknown, State>>,
  ): typeof render;
  /** One middleware or an array of them. */
  middleware<M extends Middleware<State> | Middleware<State>[]>(
    middleware: M,
  ): M;
}

/**
 * Creates the define helpers for `State`; export the result once.
 *
 * @example
 * ```ts
 * export const define = createDefine<{ user?: string }>();
 * ```
 */
export function createDefine<State>(): Define<State> {
  return {
    handlers: (handlers) => handlers,
    page: (render) => render,
    layout: (render) => render,
    middleware: (middleware) => middleware,
  };
}
