/**
 * Route handlers as in Fresh 2: a function for every method, or an object
 * of per-method functions, returning a `Response` or `page(data)`.
 *
 * @module
 */

import type { Context } from "./context.ts";

/** The HTTP methods a route can answer. */
export type Method =
  | "GET"
  | "HEAD"
  | "POST"
  | "PUT"
  | "PATCH"
  | "DELETE"
  | "OPTIONS";

/** Every method, in the order an `Allow` header lists them. */
export const METHODS: readonly Method[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];

/** "Render the page with this data": what `page()` returns. */
export interface PageResponse<Data> {
  /** Handed to the page component as `props.data`. */
  data: Data;
  /** Extra response headers (e.g. `Set-Cookie`). */
  headers?: HeadersInit;
  /** Status of the rendered page. Default 200. */
  status?: number;
}

/**
 * Asks for the route's page component to be rendered with `data`.
 *
 * @example
 * ```ts
 * export const handler = { GET: () => page({ n: 1 }, { status: 201 }) };
 * ```
 */
export function page<Data>(
  data: Data,
  options?: { headers?: HeadersInit; status?: number },
): PageResponse<Data>;
/** Renders the page with no data. */
export function page(): PageResponse<undefined>;
export function page<Data>(
  data?: Data,
  options?: { headers?: HeadersInit; status?: number },
): PageResponse<Data | undefined> {
  return { data, headers: options?.headers, status: options?.status };
}

/** One handler function. */
export interface HandlerFn<Data, State> {
  (ctx: Context<State>):
    | Response
    | PageResponse<Data>
    | Promise<Response | PageResponse<Data>>;
}

/** Handlers by HTTP method; a missing method answers 405. */
export type HandlerByMethod<Data, State> = {
  [M in Method]?: HandlerFn<Data, State>;
};

/** `export const handler` of a route file. */
export type RouteHandler<Data, State> =
  | HandlerFn<Data, State>
  | HandlerByMethod<Data, State>;

/** The data type a route handler produces, for `define.page<typeof handler>`. */
export type RouteData<Handler> = Handler extends
  RouteHandler<infer Data, infer _State> ? Data : never;

/** True for the `{ GET, POST, … }` form. */
export function isHandlerByMethod<Data, State>(
  handler: RouteHandler<Data, State>,
): handler is HandlerByMethod<Data, State> {
  return handler !== null && typeof handler === "object";
}
