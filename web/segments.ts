/**
 * The folder tree of an app, as Fresh 2 nests it: each folder (segment)
 * may hold middleware, a layout and an error page. A request runs, for
 * each folder from the root down to its route's, a wrapper that adds the
 * folder's layout and catches errors for its error page, then the folder's
 * middleware; then the route.
 *
 * @module
 */

import { type Context, SCOPE } from "./context.ts";
import type { Middleware } from "./middleware.ts";
import type { LayoutConfig, RouteComponent } from "./page_props.ts";
import { renderRoute, type RouteDef } from "./route_render.ts";
import { statusOf } from "./http_error.ts";

/** What one folder holds. */
export interface Segment<State> {
  readonly middlewares: Middleware<State>[];
  layout: { component: RouteComponent<State>; config: LayoutConfig } | null;
  errorRoute: RouteDef<State> | null;
}

/** The folders of an app, by path (`""` root, `users`, `(shop)/cart`). */
export class Segments<State> {
  #folders = new Map<string, Segment<State>>();
  /** `_app`: wraps every page. */
  app: RouteComponent<State> | null = null;
  /** `_404`: renders every 404 below the root. */
  notFound: RouteDef<State> | null = null;
  /** Told of every error an error page answers (they never reach the top). */
  onError: (error: unknown, ctx: Context<State>) => void = () => {};

  /** The folder at `path`, made empty if new. */
  at(path: string): Segment<State> {
    let segment = this.#folders.get(path);
    if (!segment) {
      segment = { middlewares: [], layout: null, errorRoute: null };
      this.#folders.set(path, segment);
    }
    return segment;
  }

  /** The middleware chain of a route in folder `path`, root first. */
  chain(path: string): Middleware<State>[] {
    const chain: Middleware<State>[] = [];
    const parts = path === "" ? [] : path.split("/");
    for (let depth = 0; depth <= parts.length; depth++) {
      const segment = this.at(parts.slice(0, depth).join("/"));
      chain.push(this.#wrapper(segment, depth === 0), ...segment.middlewares);
    }
    return chain;
  }

  #wrapper(segment: Segment<State>, isRoot: boolean): Middleware<State> {
    return async (ctx) => {
      const scope = ctx[SCOPE];
      const { app, layouts } = scope;
      if (isRoot) scope.app = this.app;
      const layout = segment.layout;
      if (layout) {
        if (layout.config.skipAppWrapper) scope.app = null;
        scope.layouts = layout.config.skipInheritedLayouts
          ? [layout.component]
          : [...scope.layouts, layout.component];
      }
      try {
        return await ctx.next();
      } catch (error) {
        return await this.#recover(ctx, segment, error);
      } finally {
        scope.app = app;
        scope.layouts = layouts;
      }
    };
  }

  async #recover(
    ctx: Context<State>,
    segment: Segment<State>,
    error: unknown,
  ): Promise<Response> {
    const status = statusOf(error);
    const page = status === 404 && this.notFound
      ? this.notFound
      : segment.errorRoute;
    if (!page) throw error;
    ctx.error = error;
    this.onError(error, ctx);
    return await renderRoute(ctx, page, status, true);
  }
}
