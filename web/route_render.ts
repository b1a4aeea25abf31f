/**
 * Runs a route: picks its handler for the method, and renders its page
 * when the handler returns `page(data)` (or when there is no handler).
 *
 * @module
 */

import { type Context, SCOPE } from "./context.ts";
import {
  type HandlerFn,
  isHandlerByMethod,
  type Method,
  type RouteHandler,
} from "./handlers.ts";
import type { RouteComponent, RouteConfig } from "./page_props.ts";
import { renderComponent } from "./render_page.ts";
import { HttpError } from "./http_error.ts";

/** A route: its handler, page component and config. */
export interface RouteDef<State> {
  readonly handler?: RouteHandler<unknown, State>;
  readonly component?: RouteComponent<State>;
  readonly config?: RouteConfig;
}

/** The methods a route answers: all for a function handler or a bare page. */
export function routeMethods<State>(route: RouteDef<State>): Method[] | "ALL" {
  if (!route.handler) return route.component ? "ALL" : [];
  if (!isHandlerByMethod(route.handler)) return "ALL";
  const methods = Object.keys(route.handler) as Method[];
  if (route.component && !methods.includes("GET")) methods.push("GET");
  return methods;
}

/**
 * Runs `route` for `ctx`. Error and 404 pages (`anyMethod`) answer every
 * method with their GET handler when they have no handler for it.
 */
export async function renderRoute<State>(
  ctx: Context<State>,
  route: RouteDef<State>,
  status = 200,
  anyMethod = false,
): Promise<Response> {
  const scope = ctx[SCOPE];
  if (route.config?.skipAppWrapper) scope.app = null;
  if (route.config?.skipInheritedLayouts) scope.layouts = [];
  const handler = pickHandler(route, ctx.req.method as Method, anyMethod);
  if (handler === "next") return await ctx.next();
  const result = handler ? await handler(ctx) : { data: undefined };
  if (result instanceof Response) return result;
  let vnode = null;
  if (route.component) {
    const props = { ...ctx.pageProps(result.data), Component: () => null };
    const rendered = await renderComponent(route.component, props);
    if (rendered instanceof Response) return rendered;
    vnode = rendered;
  }
  return await ctx.render(vnode, {
    status: result.status ?? status,
    headers: result.headers,
  });
}

function pickHandler<State>(
  route: RouteDef<State>,
  method: Method,
  anyMethod: boolean,
): HandlerFn<unknown, State> | null | "next" {
  const { handler } = route;
  if (!handler) {
    if (route.component) return null;
    throw new HttpError(404);
  }
  if (!isHandlerByMethod(handler)) return handler;
  const fn = handler[method] ??
    (method === "HEAD" || anyMethod ? handler.GET : undefined);
  if (fn) return fn;
  return route.component && (method === "GET" || method === "HEAD" || anyMethod)
    ? null
    : "next";
}
