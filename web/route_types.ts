/**
 * The module shape of a file route, as in Fresh 2.
 *
 * A route file exports `handler` (an object of HTTP-method functions), a
 * default `Page` component, or both. A handler returns a `Response`, or
 * `{ data }` to render the page with those props.
 *
 * @module
 */

import type { ComponentType } from "preact";

/** What a handler or page sees of the request. */
export interface RouteContext<State> {
  /** The incoming request. */
  readonly req: Request;
  /** The parsed request URL. */
  readonly url: URL;
  /** Values of `[param]` and `[...rest]` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** The app's per-server services (hub, accounts, ...), set in main.ts. */
  readonly state: State;
  /** The connection's peer address, for rate limits. */
  readonly remoteAddr: string;
}

/** A handler's "render the page with this data" answer. */
export interface PageData<Data> {
  /** Props passed to the page component as `props.data`. */
  readonly data: Data;
  /** Status of the rendered page. Default 200. */
  readonly status?: number;
  /** Extra response headers (e.g. Set-Cookie). */
  readonly headers?: HeadersInit;
}

/** One HTTP method's handler. */
export type RouteHandler<State, Data = unknown> = (
  ctx: RouteContext<State>,
) =>
  | Response
  | PageData<Data>
  | Promise<Response | PageData<Data>>;

/** `export const handler` of a route file. */
export type Handlers<State, Data = unknown> = Partial<
  Record<
    "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    RouteHandler<State, Data>
  >
>;

/** Props of a page component. */
export interface PageProps<Data = unknown, State = unknown> {
  readonly data: Data;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly state: State;
}

/** `export default` of a route file. */
export type PageComponent<Data = unknown, State = unknown> = ComponentType<
  PageProps<Data, State>
>;
