/**
 * Loads `routes/` into an app's folder tree and route list, as Fresh 2's
 * `fsRoutes()` does: `_app`, `_404`, `_error` (or `_500`), `_layout` and
 * `_middleware` files go to their folders, every other module is a route.
 *
 * @module
 */

import type { Middleware } from "./middleware.ts";
import type {
  LayoutConfig,
  RouteComponent,
  RouteConfig,
} from "./page_props.ts";
import type { RouteHandler } from "./handlers.ts";
import type { RouteDef } from "./route_render.ts";
import type { Segments } from "./segments.ts";
import { listRouteFiles, withoutExtension } from "./route_files.ts";
import { compareRoutePaths, pathToPattern } from "./router.ts";

/** A file route, ready for the router. */
export interface FsRoute<State> {
  /** Its file, relative to routes/. */
  readonly file: string;
  /** Its URL pattern (the file's, or the config's `routeOverride`). */
  readonly pattern: string;
  /** The folder whose middleware and layouts apply. */
  readonly folder: string;
  readonly route: RouteDef<State>;
}

/** What a route module may export. */
interface RouteModule<State> {
  readonly default?: unknown;
  readonly handler?: RouteHandler<unknown, State>;
  readonly handlers?: RouteHandler<unknown, State>;
  readonly config?: RouteConfig & LayoutConfig;
}

/**
 * Imports every module under `routesDir`, puts the special files into
 * `segments` and returns the routes, most specific first.
 */
export async function loadFsRoutes<State>(
  routesDir: URL,
  segments: Segments<State>,
): Promise<FsRoute<State>[]> {
  const { routes: files } = await listRouteFiles(routesDir);
  const routes: FsRoute<State>[] = [];
  for (const file of files) {
    const url = new URL(
      file.split("/").map(encodeURIComponent).join("/"),
      routesDir,
    );
    const module = await import(url.href) as RouteModule<State>;
    const route = addFile(file, module, segments);
    if (route) routes.push(route);
  }
  return routes.sort((a, b) =>
    compareRoutePaths(withoutExtension(a.file), withoutExtension(b.file))
  );
}

function addFile<State>(
  file: string,
  module: RouteModule<State>,
  segments: Segments<State>,
): FsRoute<State> | null {
  const id = withoutExtension(file);
  const slash = id.lastIndexOf("/");
  const folder = slash === -1 ? "" : id.slice(0, slash);
  const name = id.slice(slash + 1);
  const special = name === "_app" || name === "_404";
  if (special && folder !== "") {
    throw new Error(`routes/${file}: ${name} belongs at the top of routes/`);
  }
  const route = routeDef(file, module, name === "_middleware");
  if (name === "_middleware") {
    segments.at(folder).middlewares.push(...middlewares(file, module));
  } else if (name === "_layout") {
    const component = route.component;
    if (component) {
      segments.at(folder).layout = { component, config: module.config ?? {} };
    }
  } else if (name === "_app") {
    segments.app = route.component ?? null;
  } else if (name === "_404") {
    segments.notFound = route;
  } else if (name === "_error" || name === "_500") {
    segments.at(folder).errorRoute = route;
  } else {
    const pattern = module.config?.routeOverride ?? pathToPattern(id);
    return { file, pattern, folder, route };
  }
  return null;
}

function routeDef<State>(
  file: string,
  module: RouteModule<State>,
  isMiddleware: boolean,
): RouteDef<State> {
  const handler = module.handlers ?? module.handler;
  const usable = typeof module.default === "function" ||
    (isMiddleware && Array.isArray(module.default)) ||
    typeof module.config === "object" || typeof handler === "function" ||
    (typeof handler === "object" && handler !== null);
  if (!usable) {
    throw new Error(
      `routes/${file} exports no default component, handler(s) or config`,
    );
  }
  if (typeof handler === "function" && handler.length > 1) {
    throw new Error(`routes/${file}: a handler takes one argument (ctx)`);
  }
  return {
    handler,
    component: typeof module.default === "function"
      ? module.default as RouteComponent<State>
      : undefined,
    config: module.config,
  };
}

function middlewares<State>(
  file: string,
  module: RouteModule<State>,
): Middleware<State>[] {
  const found = module.default ?? module.handlers ?? module.handler;
  const list = Array.isArray(found) ? found : [found];
  if (list.some((fn) => typeof fn !== "function")) {
    throw new Error(
      `routes/${file}: a _middleware exports a function or an array of them`,
    );
  }
  return list as Middleware<State>[];
}
