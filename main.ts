/**
 * The app: the chart hub at `/chart`, health and metrics, and the pages.
 * `deno task start` runs it on PORT (default 8000) with nothing to
 * configure; tests call `startServer({ port: 0 })` in-process.
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
import { startGroupPresenceFeed } from "./chart/group_presence_feed.ts";
import { startAdminApp } from "./chart/admin_app.ts";
import { slowInvocationFilter } from "./chart/slow_invocations.ts";
import type { AppState } from "./app_state.ts";
import { openUserServices } from "./accounts/user_services.ts";
import { createWebHandler } from "./web/app_handler.ts";
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
  const hub = new HubServer(chartHub, {
    path: "/chart",
    logger,
    authenticate: users.authenticate,
    // REDIS_URL: several processes act as one hub; without it, in-memory.
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
  const state: AppState = { hub, users, admins: admin.admins };
  const stopFeed = startChartFeed(hub.localClients, options.feedIntervalMs);
  const stopPresence = startGroupPresenceFeed(hub.presence, hub.localClients);
  // Pages, islands and static/: builds the islands first if there is no build.
  const stopWeb = new AbortController();
  const web = await createWebHandler({
    root: new URL("./", import.meta.url),
    state,
    dev: options.dev,
    logger,
    signal: stopWeb.signal,
  });
  const server = Deno.serve({
    hostname: options.hostname ?? env.HOSTNAME ?? "0.0.0.0",
    port: options.port ?? Number(env.PORT ?? 8000),
    onListen: () => {},
  }, (req, info) => {
    if (!hostAllowed(req, allowedHosts)) return invalidHostResponse();
    const url = new URL(req.url);
    if (hub.matches(url)) return hub.handle(req, info);
    if (admin.hub.matches(url)) return admin.hub.handle(req, info);
    if (url.pathname === "/healthz") return health(hub);
    if (url.pathname === "/metrics") {
      return new Response(hub.metricsText(), {
        headers: { "content-type": "text/plain; version=0.0.4" },
      });
    }
    return web(req, info);
  });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname === "0.0.0.0" ? "localhost" : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  logger.log("info", "server.listening", { url });
  let closing: Promise<void> | undefined;
  return {
    url,
    hub,
    close: () =>
      closing ??= (async () => {
        stopFeed();
        stopPresence();
        stopWeb.abort();
        await admin.close();
        await hub.shutdown();
        await server.shutdown();
        users.close();
      })(),
  };
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

function health(hub: HubServer): Response {
  const h = hub.health();
  return Response.json({
    status: h.accepting ? "ok" : "closing",
    connections: h.connections,
    backplane: h.backplane,
  }, { status: h.accepting ? 200 : 503 });
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
