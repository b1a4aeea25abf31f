/**
 * What page, layout and `_app` components receive, as in Fresh 2.
 *
 * @module
 */

import type { AnyComponent, FunctionComponent, VNode } from "preact";

/** The app's settings, as routes see them in `ctx.config`. */
export interface ResolvedConfig {
  /** Folder holding routes/, islands/ and static/, as a file URL. */
  readonly root: string;
  /** Prefix every route is mounted under, "" for none. */
  readonly basePath: string;
  /** "development" rebuilds islands on change. */
  readonly mode: "development" | "production";
}

/** Props of a page, layout or `_app` component. */
export interface PageProps<Data = unknown, State = unknown> {
  /** The handler's `page(data)` data; null for layouts and `_app`. */
  data: Data;
  /** The request URL. */
  url: URL;
  /** The request. */
  req: Request;
  /** Values of the route's `[param]` segments. */
  params: Record<string, string>;
  /** Per-request state, filled in by middleware. */
  state: State;
  /** The matched route pattern, e.g. `/items/:id`, or null. */
  route: string | null;
  /** The connection (peer address). */
  info: Deno.ServeHandlerInfo;
  /** The caught error, on `_error` pages; else null. */
  error: unknown;
  /** The app's settings. */
  config: ResolvedConfig;
  /** In layouts and `_app`: the wrapped content. */
  Component: FunctionComponent;
}

/** A component that returns its markup (or a Response) asynchronously. */
export type AsyncComponent<Props> = (
  props: Props,
) => Promise<VNode | Response | null>;

/** A page, layout or `_app` component, plain or async. */
export type RouteComponent<State> =
  // deno-lint-ignore no-explicit-any
  | AnyComponent<PageProps<any, State>>
  // deno-lint-ignore no-explicit-any
  | AsyncComponent<PageProps<any, State>>;

/** Route-file options, as in Fresh 2. */
export interface RouteConfig {
  /** A URL pattern to use instead of the one from the file path. */
  routeOverride?: string;
  /** Render without the layouts of enclosing folders. */
  skipInheritedLayouts?: boolean;
  /** Render without `routes/_app`. */
  skipAppWrapper?: boolean;
}

/** `_layout` options. */
export type LayoutConfig = Pick<
  RouteConfig,
  "skipInheritedLayouts" | "skipAppWrapper"
>;
