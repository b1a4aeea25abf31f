/**
 * The web app as one `Deno.serve` handler: static files, then file routes
 * from routes/ rendered with their islands, then the 404 page.
 *
 * @example
 * ```ts
 * const web = await createWebHandler({ root: new URL("./", import.meta.url), state });
 * Deno.serve((req, info) => web(req, info));
 * ```
 *
 * @module
 */

import type { ComponentType } from "preact";
import {
  findRoute,
  loadRouteTable,
  type RouteModule,
  type RouteTable,
} from "./route_table.ts";
import { loadIslands } from "./island_files.ts";
import { type BuildManifest, readManifest } from "./build_manifest.ts";
import { ensureBuilt } from "./ensure_built.ts";
import { build } from "./build.ts";
import { watchIslands } from "./dev_watch.ts";
import { renderPage } from "./render_page.ts";
import { serveStatic } from "./static_files.ts";
import type { PageData, PageProps, RouteContext } from "./route_types.ts";
import { consoleLogger, type Logger } from "../hub/logger.ts";

export { ensureBuilt } from "./ensure_built.ts";

/** Options of `createWebHandler`. */
export interface WebHandlerOptions<State> {
  /** The project root (the folder holding routes/, islands/, static/). */
  readonly root: URL;
  /** Per-server services, handed to routes as `ctx.state`. */
  readonly state: State;
  /** Always rebuild at start and again when islands change. */
  readonly dev?: boolean;
  /** Where web events go. Default: JSON lines on stderr. */
  readonly logger?: Logger;
  /** Stops the dev watcher. */
  readonly signal?: AbortSignal;
}

/** A `Deno.serve` handler. */
export type WebHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo,
) => Promise<Response>;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = typeof METHODS[number];

/**
 * Loads routes and islands and the build manifest (building first if there
 * is none), and returns the request handler. Nothing is bundled per request.
 */
export async function createWebHandler<State>(
  opts: WebHandlerOptions<State>,
): Promise<WebHandler> {
  const logger = opts.logger ?? consoleLogger();
  const { root } = opts;
  let manifest: BuildManifest | null;
  if (opts.dev) {
    manifest = await build(root);
    watchIslands(root, (next) => manifest = next, logger, opts.signal);
  } else {
    await ensureBuilt(root, logger);
    manifest = await readManifest(root);
  }
  await loadIslands(new URL("islands/", root));
  const table = await loadRouteTable<State>(new URL("routes/", root));
  const staticDir = new URL("static/", root);
  const site = { table, logger, state: opts.state, manifest: () => manifest };
  return async (req, info) => {
    const url = new URL(req.url);
    try {
      return await serveStatic(req, url, staticDir) ??
        await serveRoute(site, req, url, info);
    } catch (error) {
      logger.log("error", "web.request_failed", { path: url.pathname, error });
      return await errorPage(site, req, url, info);
    }
  };
}

interface Site<State> {
  readonly table: RouteTable<State>;
  readonly logger: Logger;
  readonly state: State;
  manifest(): BuildManifest | null;
}

async function serveRoute<State>(
  site: Site<State>,
  req: Request,
  url: URL,
  info: Deno.ServeHandlerInfo,
): Promise<Response> {
  const found = findRoute(site.table, url.pathname);
  if (!found) {
    return await specialPage(site, site.table.notFound, req, url, info, 404);
  }
  const ctx = context(site, req, url, found.params, info);
  const { module } = found.route;
  const method = (req.method === "HEAD" ? "GET" : req.method) as Method;
  const handler = METHODS.includes(method)
    ? module.handler?.[method]
    : undefined;
  if (!handler && !(method === "GET" && module.default)) {
    return methodNotAllowed(module);
  }
  const result = handler ? await handler(ctx) : { data: undefined };
  if (result instanceof Response) return result;
  return respondWithPage(site, module, ctx, result, req);
}

function respondWithPage<State>(
  site: Site<State>,
  module: RouteModule<State>,
  ctx: RouteContext<State>,
  result: PageData<unknown>,
  req: Request,
): Response {
  if (!module.default) {
    throw new Error(
      `${ctx.url.pathname}: data returned but the route has no page`,
    );
  }
  const props: PageProps<unknown, State> = {
    data: result.data,
    url: ctx.url,
    params: ctx.params,
    state: ctx.state,
  };
  const html = renderPage({
    page: module.default as ComponentType<PageProps<unknown, State>>,
    props,
    app: site.table.app,
    manifest: site.manifest(),
  });
  const headers = new Headers(result.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("x-content-type-options", "nosniff");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-cache");
  return new Response(req.method === "HEAD" ? null : html, {
    status: result.status ?? 200,
    headers,
  });
}

async function specialPage<State>(
  site: Site<State>,
  module: RouteModule<State> | undefined,
  req: Request,
  url: URL,
  info: Deno.ServeHandlerInfo,
  status: number,
): Promise<Response> {
  const text = status === 404 ? "Not found" : "Internal server error";
  if (url.pathname.startsWith("/api/") || !module?.default) {
    return Response.json({ error: text }, { status });
  }
  const ctx = context(site, req, url, {}, info);
  const result = module.handler?.GET
    ? await module.handler.GET(ctx)
    : { data: undefined };
  if (result instanceof Response) return result;
  return respondWithPage(site, module, ctx, { ...result, status }, req);
}

async function errorPage<State>(
  site: Site<State>,
  req: Request,
  url: URL,
  info: Deno.ServeHandlerInfo,
): Promise<Response> {
  try {
    return await specialPage(site, site.table.serverError, req, url, info, 500);
  } catch (error) {
    // The 500 page itself failed; answer plainly rather than loop.
    site.logger.log("error", "web.error_page_failed", { error });
    return new Response("Internal server error", { status: 500 });
  }
}

function methodNotAllowed<State>(module: RouteModule<State>): Response {
  const allowed = METHODS.filter((m) => module.handler?.[m]);
  if (module.default && !allowed.includes("GET")) allowed.push("GET");
  if (allowed.includes("GET")) allowed.push("HEAD" as Method);
  return new Response("Method not allowed", {
    status: 405,
    headers: { allow: allowed.join(", ") },
  });
}

function context<State>(
  site: Site<State>,
  req: Request,
  url: URL,
  params: Record<string, string>,
  info: Deno.ServeHandlerInfo,
): RouteContext<State> {
  const addr = info.remoteAddr as Partial<Deno.NetAddr>;
  return {
    req,
    url,
    params,
    state: site.state,
    remoteAddr: addr.hostname ?? "",
  };
}
