/**
 * The route table: every module under `routes/`, imported once at startup.
 *
 * Routes are discovered by walking `routes/` when the server starts rather
 * than from a generated manifest: reading the source tree is allowed locally
 * and on Deno Deploy, and a walk can never go stale the way a checked-in
 * manifest does when someone adds a route and forgets to rebuild.
 *
 * @module
 */

import type { ComponentType } from "preact";
import type { Handlers, PageComponent } from "./route_types.ts";
import {
  comparePatterns,
  matchPattern,
  patternFromFile,
  type RoutePattern,
} from "./route_path.ts";

/** What a route module may export. */
export interface RouteModule<State> {
  readonly handler?: Handlers<State, unknown>;
  readonly default?: PageComponent<unknown, State>;
}

/** One route: its pattern, its module and where it came from. */
export interface Route<State> {
  readonly file: string;
  readonly pattern: RoutePattern;
  readonly module: RouteModule<State>;
}

/** Props of `routes/_app.tsx`: the page to wrap. */
export interface AppProps<State = unknown> {
  readonly Component: ComponentType;
  readonly url: URL;
  readonly state: State;
}

/** The loaded routes, most specific first, plus the special pages. */
export interface RouteTable<State> {
  readonly routes: readonly Route<State>[];
  readonly app?: ComponentType<AppProps<State>>;
  readonly notFound?: RouteModule<State>;
  readonly serverError?: RouteModule<State>;
}

/** Cap on route files; a tree this large is a mistake, not an app. */
export const MAX_ROUTES = 500;

const MODULE = /\.(tsx|ts|jsx|js)$/;

/** Walks `routesDir` and imports every route module. */
export async function loadRouteTable<State>(
  routesDir: URL,
): Promise<RouteTable<State>> {
  const files = await listRouteFiles(routesDir, "");
  const routes: Route<State>[] = [];
  const special: Record<string, RouteModule<State>> = {};
  for (const file of files) {
    const module = await import(new URL(file, routesDir).href) as RouteModule<
      State
    >;
    if (/^_(app|404|500)\.\w+$/.test(file)) {
      special[file.replace(MODULE, "")] = module;
      continue;
    }
    routes.push({ file, pattern: patternFromFile(file), module });
  }
  routes.sort((a, b) => comparePatterns(a.pattern, b.pattern));
  return {
    routes,
    app: special._app?.default as ComponentType<AppProps<State>> | undefined,
    notFound: special._404,
    serverError: special._500,
  };
}

/** Finds the route for `pathname`; the first (most specific) match wins. */
export function findRoute<State>(
  table: RouteTable<State>,
  pathname: string,
): { route: Route<State>; params: Record<string, string> } | null {
  for (const route of table.routes) {
    const params = matchPattern(route.pattern, pathname);
    if (params) return { route, params };
  }
  return null;
}

async function listRouteFiles(dir: URL, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const relative = prefix + entry.name;
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      out.push(
        ...await listRouteFiles(new URL(`${entry.name}/`, dir), `${relative}/`),
      );
    } else if (entry.isFile && isRouteFile(entry.name, prefix)) {
      out.push(relative);
    }
    if (out.length > MAX_ROUTES) {
      throw new RangeError(`More than ${MAX_ROUTES} files under routes/`);
    }
  }
  return out;
}

function isRouteFile(name: string, prefix: string): boolean {
  if (
    !MODULE.test(name) || /_test\.\w+$/.test(name) || name.endsWith(".d.ts")
  ) {
    return false;
  }
  // Underscore files are private helpers, except the special root pages.
  if (name.startsWith("_")) {
    return prefix === "" && /^_(app|404|500)\./.test(name);
  }
  return true;
}
