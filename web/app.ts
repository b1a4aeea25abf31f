/**
 * `App`, as in Fresh 2: middleware, programmatic routes and file routes
 * in the order they are added, served by `handler()` or `listen()`.
 *
 * @example
 * ```ts
 * export const app = new App().use(staticFiles()).fsRoutes();
 * if (import.meta.main) await app.listen();
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Middleware } from "./middleware.ts";
import { type Method, METHODS } from "./handlers.ts";
import type { ResolvedConfig } from "./page_props.ts";
import type { WebLogger } from "./logger.ts";
import { stderrWebLogger } from "./logger.ts";
import { Segments } from "./segments.ts";
import { Router } from "./router.ts";
import { type FsRoute, loadFsRoutes } from "./fs_routes.ts";
import { prepareSite } from "./prepare_site.ts";
import type { Site } from "./site.ts";
import { type AppHandler, serveRequest } from "./serve_request.ts";
import { renderRoute, type RouteDef, routeMethods } from "./route_render.ts";
import { statusOf } from "./http_error.ts";

/** Options of `new App()`. */
export interface AppConfig {
  /** Prefix every route is mounted under, e.g. `/app`. Default none. */
  basePath?: string;
  /** "development" rebuilds islands at start and on change. */
  mode?: "development" | "production";
  /**
   * Folder holding routes/, islands/ and static/. Fresh's builder sets it;
   * here it defaults to the folder of the main module.
   */
  root?: string | URL;
  /** Where web events go. Default: JSON lines on stderr. */
  logger?: WebLogger;
}

/** Options of `listen()`: those of `Deno.serve`. */
export type ListenOptions = Partial<Deno.ServeTcpOptions>;

type Command<State> =
  | { kind: "use"; folder: string; fns: Middleware<State>[] }
  | {
    kind: "route";
    method: Method | "ALL";
    path: string;
    fns: Middleware<State>[];
  }
  | { kind: "fs" };

/** A web app. */
export class App<State = unknown> {
  /** The resolved settings. */
  readonly config: ResolvedConfig;
  readonly #logger: WebLogger;
  readonly #commands: Command<State>[] = [];
  #prepared: Promise<AppHandler> | undefined;
  #stopWatching = new AbortController();

  /** Makes an empty app. */
  constructor(config: AppConfig = {}) {
    const root = rootUrl(config.root);
    this.config = {
      root: root.endsWith("/") ? root : `${root}/`,
      basePath: (config.basePath ?? "").replace(/\/+$/, ""),
      mode: config.mode ?? "production",
    };
    this.#logger = config.logger ?? stderrWebLogger;
  }

  /** Adds middleware for every request, or for those under `path`. */
  use(...middleware: Middleware<State>[]): this;
  use(path: string, ...middleware: Middleware<State>[]): this;
  use(first: string | Middleware<State>, ...rest: Middleware<State>[]): this {
    const folder = typeof first === "string" ? folderOf(first, true) : "";
    const fns = typeof first === "string" ? rest : [first, ...rest];
    this.#commands.push({ kind: "use", folder, fns });
    return this;
  }

  /** Answers GET (and HEAD) at `path`. */
  get(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("GET", path, fns);
  }
  /** Answers POST at `path`. */
  post(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("POST", path, fns);
  }
  /** Answers PUT at `path`. */
  put(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("PUT", path, fns);
  }
  /** Answers PATCH at `path`. */
  patch(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("PATCH", path, fns);
  }
  /** Answers DELETE at `path`. */
  delete(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("DELETE", path, fns);
  }
  /** Answers HEAD at `path`. */
  head(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("HEAD", path, fns);
  }
  /** Answers every method at `path`. */
  all(path: string, ...fns: Middleware<State>[]): this {
    return this.#route("ALL", path, fns);
  }

  /** Adds the routes of routes/ (and builds islands/ if needed) here. */
  fsRoutes(): this {
    this.#commands.push({ kind: "fs" });
    return this;
  }

  /** The request handler, for `Deno.serve` or tests. */
  handler(): AppHandler {
    return async (req, info) => {
      let handle: AppHandler;
      try {
        handle = await this.#prepare();
      } catch (error) {
        this.#logger.log("error", "web.start_failed", { error });
        return new Response("Internal server error", { status: 500 });
      }
      return await handle(req, info);
    };
  }

  /**
   * Prepares the app (building islands when there is no current build),
   * then serves it. Without a port, the first free one from 8000 up.
   * Resolves with the server once it listens; aborting `signal` stops it.
   * Without `onListen`, says "Listening on <url>" on stderr.
   */
  async listen(
    options: ListenOptions = {},
  ): Promise<Deno.HttpServer<Deno.NetAddr>> {
    const handle = await this.#prepare();
    options.signal?.addEventListener("abort", () => this.#stopWatching.abort());
    const onListen = options.onListen ??
      ((addr: Deno.NetAddr) =>
        console.error(
          `Listening on http://${addr.hostname}:${addr.port}${this.config.basePath}/`,
        ));
    // Anything the handler lets escape goes through the app's logger (which
    // may redact), not Deno's default, which prints the error as it is.
    const onError = options.onError ?? ((error: unknown) => {
      this.#logger.log("error", "web.unhandled_error", { error });
      return new Response("Internal server error", { status: 500 });
    });
    const serve = (port: number) =>
      Deno.serve(
        { ...options, port, onListen, onError } as Deno.ServeTcpOptions,
        handle,
      );
    if (options.port !== undefined) return serve(options.port);
    for (let port = 8000;; port++) {
      try {
        return serve(port);
      } catch (error) {
        if (!(error instanceof Deno.errors.AddrInUse) || port >= 8019) {
          throw error;
        }
      }
    }
  }

  #route(method: Method | "ALL", path: string, fns: Middleware<State>[]): this {
    this.#commands.push({ kind: "route", method, path, fns });
    return this;
  }

  #prepare(): Promise<AppHandler> {
    return this.#prepared ??= this.#build();
  }

  async #build(): Promise<AppHandler> {
    const usesFiles = this.#commands.some((c) => c.kind === "fs");
    const site = await prepareSite(this.config, this.#logger, {
      islands: usesFiles,
      signal: this.#stopWatching.signal,
    });
    const segments = new Segments<State>();
    segments.onError = (error, ctx) => logFailure(this.#logger, error, ctx.url);
    const router = new Router<Middleware<State>[]>();
    for (const command of this.#commands) {
      await this.#apply(command, segments, router, site);
    }
    return serveRequest({
      router,
      rootChain: segments.chain(""),
      site,
      onError: (error, url) => logFailure(this.#logger, error, url),
    });
  }

  async #apply(
    command: Command<State>,
    segments: Segments<State>,
    router: Router<Middleware<State>[]>,
    site: Site,
  ): Promise<void> {
    const base = this.config.basePath;
    if (command.kind === "use") {
      segments.at(command.folder).middlewares.push(...command.fns);
    } else if (command.kind === "route") {
      const chain = [
        ...segments.chain(folderOf(command.path, false)),
        ...command.fns,
      ];
      const methods = command.method === "ALL" ? METHODS : [command.method];
      for (const method of methods) {
        router.add(method, base + command.path, chain);
      }
    } else {
      const routesDir = new URL("routes/", site.config.root);
      for (const route of await loadFsRoutes(routesDir, segments)) {
        addFsRoute(router, segments, route, base);
      }
    }
  }
}

function addFsRoute<State>(
  router: Router<Middleware<State>[]>,
  segments: Segments<State>,
  fsRoute: FsRoute<State>,
  base: string,
): void {
  const route: RouteDef<State> = fsRoute.route;
  const chain = [
    ...segments.chain(fsRoute.folder),
    (ctx: Parameters<Middleware<State>>[0]) => renderRoute(ctx, route),
  ];
  const methods = routeMethods(route);
  for (const method of methods === "ALL" ? METHODS : methods) {
    router.add(method, base + fsRoute.pattern, chain);
  }
}

/** The folder a programmatic path belongs to: `/chart/*` → `chart`. */
function folderOf(path: string, includeLast: boolean): string {
  const parts = path.split("/").filter((p) => p !== "");
  if (!includeLast && !path.endsWith("/")) parts.pop();
  return parts.filter((p) => p !== "*").join("/");
}

function logFailure(logger: WebLogger, error: unknown, url: URL): void {
  const status = statusOf(error);
  if (status < 500) return;
  logger.log("error", "web.request_failed", {
    path: url.pathname,
    status,
    error,
  });
}

/** The app folder as a file URL: a URL, an absolute or relative path. */
function rootUrl(root: string | URL | undefined): string {
  if (root === undefined) return new URL("./", Deno.mainModule).href;
  if (root instanceof URL || root.startsWith("file:")) return String(root);
  return pathToFileURL(resolve(root)).href;
}
