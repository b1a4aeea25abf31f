/**
 * The app: a Fresh-style `App` with the chart hub mounted at `/chart`,
 * static files, and the file routes of routes/ (pages, the account API,
 * `/healthz`, `/metrics`). `deno task start` runs it on PORT (default 8000)
 * with nothing to configure; tests call `startServer({ port: 0 })`
 * in-process.
 *
 * @module
 */

import {
  consoleLogger,
  hostAllowed,
  HubServer,
  invalidHostResponse,
  jsonProtocol,
  type Logger,
  messagePackProtocol,
  parseAllowedHosts,
  parseAllowedOrigins,
} from "./hub/mod.ts";
import { chartHub } from "./chart/chart_hub.ts";
import { startChartFeed } from "./chart/chart_feed.ts";
import { ChartHistory } from "./chart/chart_history.ts";
import { startGroupPresenceFeed } from "./chart/group_presence_feed.ts";
import { startAdminApp } from "./chart/admin_app.ts";
import { slowInvocationFilter } from "./chart/slow_invocations.ts";
import type { AppState } from "./app_state.ts";
import { openUserServices } from "./accounts/user_services.ts";
import { App, type Middleware, staticFiles } from "fresh";
import { backplaneFromEnv } from "./hub/backplane/backplane_from_env.ts";

/** How to start the app; anything left out comes from `env` or defaults. */
export interface ServerOptions {
  /** Interface to listen on. Default `HOSTNAME` or 0.0.0.0. */
  hostname?: string;
  /** Port; 0 picks a free one. Default `PORT` or 8000. */
  port?: number;
  /** Environment to read settings from. Default `Deno.env`. */
  env?: Record<string, string | undefined>;
  /** Chart feed period. Default 1 s (the contract). */
  feedIntervalMs?: number;
  /** Event logger. Default JSON lines on stderr at `LOG_LEVEL`. */
  logger?: Logger;
  /** Rebuild island bundles at start and on change (`deno task dev`). */
  dev?: boolean;
}

/** A running app. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The chart hub. */
  readonly hub: HubServer;
  /** This server's recent feed updates, served by `StreamChartHistory`. */
  readonly history: ChartHistory;
  /** Graceful stop: Close with allowReconnect to every client, drain, exit. */
  close(): Promise<void>;
}

function readEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

/** Starts the app and resolves once it listens. */
export async function startServer(
  options: ServerOptions = {},
): Promise<RunningServer> {
  const env = options.env ?? readEnv();
  const logger = options.logger ??
    consoleLogger((env.LOG_LEVEL as "info" | undefined) ?? "info");
  // Read before anything opens, so a bad value leaks nothing.
  const maxPerAddress = wholeNumber(env.MAX_CONNECTIONS_PER_ADDRESS);
  // How long other processes trust this one's group presence (default 10 s).
  const presenceTtlMs = wholeNumber(env.PRESENCE_TTL_MS);
  // Unset: any Host (the Origin check still holds); set it in production.
  const allowedHosts = parseAllowedHosts(env.ALLOWED_HOSTS);
  // JWT_SECRET / JWKS_URL / JWT_ISSUER / JWT_AUDIENCE / KV_PATH: see there.
  const users = await openUserServices({ env, logger });
  // Owned by this server, not the module: servers in one process (tests)
  // each stream their own feed's history.
  const history = new ChartHistory();
  const hub = new HubServer(chartHub(history), {
    path: "/chart",
    logger,
    authenticate: users.authenticate,
    // REDIS_URL (one Redis) or REDIS_CLUSTER_URLS (a Redis Cluster):
    // several processes act as one hub; without either, in-memory.
    backplane: await backplaneFromEnv(env, {
      prefix: "switchboard:chart",
      logger,
    }),
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
    // Behind a reverse proxy every client shares its address: raise or 0.
    maxConnectionsPerAddress: maxPerAddress,
    presenceTtlMs,
    // Every protocol the official client speaks; negotiate lists each
    // transport with the formats these need (SSE: text only).
    protocols: [jsonProtocol, messagePackProtocol],
    // Logs `hub.slow_invocation` for calls slower than 250 ms.
    filters: [slowInvocationFilter({ logger })],
  });
  await hub.start();
  // ADMIN_USERS: who may open /admin (fed by the admin hub at /admin-hub).
  const admin = await startAdminApp({
    chart: hub,
    authenticate: users.authenticate,
    env,
    logger,
  });
  const stopFeed = startChartFeed(
    hub.localClients,
    history,
    options.feedIntervalMs,
  );
  const stopPresence = startGroupPresenceFeed(hub.presence, hub.localClients);
  const services: AppState = { hub, users, admins: admin.admins };
  const app = createApp(services, [hub, admin.hub], {
    logger,
    allowedHosts,
    dev: options.dev,
  });
  const stopWeb = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    // Listens once the islands are built (first start without a build).
    server = await app.listen({
      hostname: options.hostname ?? env.HOSTNAME ?? "0.0.0.0",
      port: options.port ?? Number(env.PORT ?? 8000),
      signal: stopWeb.signal,
      onListen: () => {},
    });
  } catch (error) {
    stopFeed();
    stopPresence();
    await admin.close();
    await hub.shutdown();
    users.close();
    throw error;
  }
  const addr = server.addr;
  const host = addr.hostname === "0.0.0.0" ? "localhost" : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  logger.log("info", "server.listening", { url });
  const listening = keepListening(app, server, logger, stopWeb.signal);
  let closing: Promise<void> | undefined;
  return {
    url,
    hub,
    history,
    close: () =>
      closing ??= (async () => {
        stopFeed();
        stopPresence();
        await admin.close();
        await hub.shutdown();
        stopWeb.abort();
        await listening.finished();
        users.close();
      })(),
  };
}

/**
 * The web app around running services: requests for a Host not in
 * `allowedHosts` (when set) get 400; each of `hubs` answers everything
 * under its path (negotiate and every transport); every other request
 * gets the services as `ctx.state` and goes to static/ and routes/.
 */
export function createApp(
  services: AppState,
  hubs: readonly HubServer[],
  options: { logger: Logger; allowedHosts: readonly string[]; dev?: boolean },
): App<AppState> {
  // Before anything answers, so a rebound name reaches no page, API or hub.
  const checkHost: Middleware<AppState> = (ctx) =>
    hostAllowed(ctx.req, options.allowedHosts)
      ? ctx.next()
      : invalidHostResponse();
  const provide: Middleware<AppState> = (ctx) => {
    Object.assign(ctx.state, services);
    return ctx.next();
  };
  // Each hub decides what is its own (its path and below, any case, as
  // ASP.NET routes), so every transport and method reaches it unchanged.
  const hub: Middleware<AppState> = (ctx) => {
    const owner = hubs.find((h) => h.matches(ctx.url));
    return owner ? owner.handle(ctx.req, ctx.info) : ctx.next();
  };
  return new App<AppState>({
    root: new URL("./", import.meta.url),
    mode: options.dev ? "development" : "production",
    logger: options.logger,
  })
    .use(checkHost)
    .use(hub)
    .use(provide)
    .use(staticFiles())
    .fsRoutes();
}

/** How long to wait before listening again after the accept loop failed. */
const RELISTEN_DELAY_MS = 1_000;

/**
 * Listens again when the server's accept loop dies. `Deno.serve` has no
 * header-read timeout, so sockets that never finish a request pile up; at
 * the process's open-file limit accepting fails with EMFILE, which ends
 * the accept loop and, unhandled, the whole process. Here the failure is
 * logged and the same address is served again once descriptors are free,
 * so the app outlives the flood (a reverse proxy in front stops it).
 */
function keepListening(
  app: App<AppState>,
  first: Deno.HttpServer<Deno.NetAddr>,
  logger: Logger,
  signal: AbortSignal,
): { finished(): Promise<void> } {
  let current = first;
  const { hostname, port } = first.addr;
  const watch = (server: Deno.HttpServer<Deno.NetAddr>) => {
    server.finished.catch((error) => {
      if (signal.aborted) return;
      logger.log("error", "server.accept_failed", { error });
      setTimeout(relisten, RELISTEN_DELAY_MS);
    });
  };
  const relisten = async () => {
    if (signal.aborted) return;
    try {
      current = await app.listen({ hostname, port, signal, onListen() {} });
      logger.log("warn", "server.listening_again", { port });
      watch(current);
    } catch (error) {
      logger.log("error", "server.relisten_failed", { error });
      setTimeout(relisten, RELISTEN_DELAY_MS);
    }
  };
  watch(first);
  return { finished: () => current.finished.catch(() => {}) };
}

/** From SIGINT/SIGTERM to exit at the latest: below Deno Deploy's 5 s. */
const EXIT_DEADLINE_MS = 4_500;

/** A non-negative whole number from the environment, or the default. */
function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Expected a whole number, got '${value}'`);
  }
  return n;
}

if (import.meta.main) {
  const running = await startServer({ dev: Deno.args.includes("--dev") });
  const stop = () => {
    // The hub drains under its own deadline (3 s); this one bounds the
    // rest (HTTP requests still in flight) inside the 5 s Deno Deploy
    // allows between SIGINT and its kill. Exit status 1 says it was hit.
    setTimeout(() => Deno.exit(1), EXIT_DEADLINE_MS);
    running.close().then(() => Deno.exit(0));
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    try {
      Deno.addSignalListener(signal, stop);
    } catch {
      // Platforms without signals (some hosts) just stop the process.
    }
  }
}
