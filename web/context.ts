/**
 * The per-request `ctx` of Fresh 2: request, URL, params, state, the
 * matched route, `next()` down the middleware chain, `redirect()` and
 * `render()`.
 *
 * @module
 */

import type { VNode } from "preact";
import type {
  LayoutConfig,
  PageProps,
  ResolvedConfig,
  RouteComponent,
} from "./page_props.ts";
import type { Site } from "./site.ts";
import { renderDocument } from "./render_page.ts";

/** Which `_app` and layouts wrap what `render()` renders (internal). */
export interface RenderScope<State> {
  app: RouteComponent<State> | null;
  layouts: RouteComponent<State>[];
  readonly site: Site;
}

/** Key of a context's render scope; not exported from the public module. */
export const SCOPE: unique symbol = Symbol("renderScope");

/** The context every middleware, handler and page sees. */
export class Context<State> {
  /** The app's settings. */
  readonly config: ResolvedConfig;
  /** The request URL, with repeated slashes folded. */
  readonly url: URL;
  /** The incoming request. */
  req: Request;
  /** The matched route pattern, e.g. `/items/:id`; null when none matched. */
  readonly route: string | null;
  /** Values of the route's `[param]` segments, decoded. */
  readonly params: Record<string, string>;
  /** Per-request state; middleware fills it in for later handlers. */
  readonly state: State = {} as State;
  /** The caught error, while an `_error` page renders; else null. */
  error: unknown = null;
  /** The connection (peer address). */
  readonly info: Deno.ServeHandlerInfo;
  /** Runs the rest of the middleware chain. */
  next: () => Promise<Response>;
  /** @internal */
  readonly [SCOPE]: RenderScope<State>;

  /** Made by the app for each request. */
  constructor(init: {
    req: Request;
    url: URL;
    info: Deno.ServeHandlerInfo;
    route: string | null;
    params: Record<string, string>;
    next: () => Promise<Response>;
    site: Site;
  }) {
    this.req = init.req;
    this.url = init.url;
    this.info = init.info;
    this.route = init.route;
    this.params = init.params;
    this.next = init.next;
    this.config = init.site.config;
    this[SCOPE] = { app: null, layouts: [], site: init.site };
  }

  /**
   * A redirect to `pathOrUrl`. Runs of slashes and backslashes in a path
   * are folded to one slash, so `//evil.example` and `/\\evil.example`
   * (which browsers read as another host) stay on this site.
   */
  redirect(pathOrUrl: string, status = 302): Response {
    let location = pathOrUrl;
    if (pathOrUrl.startsWith("/")) {
      const cut = pathOrUrl.search(/[?#]/);
      const path = cut === -1 ? pathOrUrl : pathOrUrl.slice(0, cut);
      const rest = cut === -1 ? "" : pathOrUrl.slice(cut);
      location = path.replaceAll(/[/\\]+/g, "/") + rest;
    }
    return new Response(null, { status, headers: { location } });
  }

  /** Renders `vnode` inside the layouts and `_app` into an HTML response. */
  async render(
    vnode: VNode | null,
    init: ResponseInit = {},
    config: LayoutConfig = {},
  ): Promise<Response> {
    const scope = this[SCOPE];
    const html = await renderDocument({
      vnode,
      layouts: config.skipInheritedLayouts ? [] : scope.layouts,
      app: config.skipAppWrapper ? null : scope.app,
      props: this.pageProps(null),
      manifest: scope.site.manifest(),
      buildId: scope.site.buildId,
    });
    if (html instanceof Response) return html;
    const headers = new Headers(init.headers);
    headers.set("content-type", "text/html; charset=utf-8");
    return new Response(html, { ...init, status: init.status ?? 200, headers });
  }

  /** A plain-text response. */
  text(content: string, init?: ResponseInit): Response {
    return new Response(content, init);
  }

  /** A JSON response, as `Response.json`. */
  json(content: unknown, init?: ResponseInit): Response {
    return Response.json(content, init);
  }

  /** The props a component rendered for this request gets. */
  pageProps<Data>(data: Data): Omit<PageProps<Data, State>, "Component"> {
    return {
      data,
      url: this.url,
      req: this.req,
      params: this.params,
      state: this.state,
      route: this.route,
      info: this.info,
      error: this.error,
      config: this.config,
    };
  }
}
