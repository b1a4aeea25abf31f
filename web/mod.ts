/**
 * `fresh`: the server API of Fresh 2 that this app uses, so route files
 * written from Fresh's documentation run here unchanged. deno.json maps
 * `"fresh"` here and `"fresh/runtime"` to web/runtime.ts.
 *
 * @module
 */

export { App, type AppConfig, type ListenOptions } from "./app.ts";
export { staticFiles } from "./static_files.ts";
export { trailingSlashes } from "./trailing_slashes.ts";
export { csrf, type CsrfOptions } from "./csrf.ts";
export {
  type HandlerByMethod,
  type HandlerFn,
  type Method,
  page,
  type PageResponse,
  type RouteData,
  type RouteHandler,
} from "./handlers.ts";
export { HttpError } from "./http_error.ts";
export { createDefine, type Define } from "./define.ts";
export { Context } from "./context.ts";
export type { Middleware, MiddlewareFn } from "./middleware.ts";
export type {
  LayoutConfig,
  PageProps,
  ResolvedConfig,
  RouteConfig,
} from "./page_props.ts";
export type { WebLogger } from "./logger.ts";

/** Fresh's older name for `Context`. */
export type FreshContext<State = unknown> = import("./context.ts").Context<
  State
>;
