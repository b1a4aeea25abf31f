/**
 * A hub mounted at a path: answers negotiate and transport requests, owns
 * the maps, the heartbeat and shutdown. This is the library's front door.
 *
 * @example
 * ```ts
 * const server = new HubServer(hub, { path: "/chat" });
 * await server.start();
 * Deno.serve((req, info) => server.handle(req, info));
 * ```
 *
 * @module
 */

import { validateHubOptions } from "./options_validation.ts";
import {
  type HubOptions,
  type Principal,
  type ResolvedHubOptions,
  resolveHubOptions,
} from "./options.ts";
import { type HubDefinition, hubNameFromPath } from "./hub_definition.ts";
import type { BackplaneStatus } from "./backplane/backplane.ts";
import { HubConnection } from "./connection.ts";
import { buildRouting } from "./hub_routing.ts";
import { ConnectionStore } from "./connection_store.ts";
import { ConnectionHandler } from "./connection_handler.ts";
import { Dispatcher } from "./dispatcher.ts";
import { LifetimeManager } from "./lifetime_manager.ts";
import type { Clients, Groups } from "./clients.ts";
import { HubCounters, type HubGauges, renderMetrics } from "./metrics.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { jsonProtocol } from "./protocol/json.ts";
import { randomId } from "./random_id.ts";
import {
  type AvailableTransport,
  negotiatedVersion,
  negotiateResponse,
  offeredTransports,
} from "./negotiate.ts";
import { queryValue } from "./query_value.ts";
import {
  answerEndpoint,
  type EndpointRoutes,
  pathMatches,
} from "./endpoint_routes.ts";
import { acceptWebSocket, upgradeRefusal } from "./transports/websocket.ts";
import { serveHttpTransport, text } from "./transports/http_requests.ts";
import { SlotCounter } from "./rate_limit.ts";
import type { Presence } from "./presence.ts";
import { HubAdmin } from "./hub_admin.ts";
import { type Authorize, checkRule } from "./authorization.ts";
import { admit } from "./admission.ts";
import { checkFilters } from "./hub_filters.ts";
import { requestInfo } from "./request_info.ts";
import { HubTelemetry } from "./telemetry.ts";

/** Hub sockets: the heartbeat pings and times out clients (see websocket.ts). */
const HUB_SOCKET = { ownKeepAlive: true } as const;

/** Options of a mounted hub. */
export interface HubServerOptions extends HubOptions {
  /** Where the hub lives, e.g. "/chart"; negotiate is at `${path}/negotiate`. */
  path: string;
}

/** Health of a hub, for `/healthz`. */
export interface HubHealth {
  readonly accepting: boolean;
  readonly connections: number;
  readonly backplane: BackplaneStatus;
}

/** A SignalR hub served over HTTP. */
export class HubServer {
  readonly path: string;
  /** The hub's name in telemetry: `defineHub({ name })` or from the path. */
  readonly name: string;
  readonly options: ResolvedHubOptions;
  readonly counters: HubCounters = new HubCounters();
  readonly logger: Logger;
  /** Send from outside a hub method (timers, routes). */
  readonly clients: Clients;
  /** Like `clients`, but reaching this process's connections only. */
  readonly localClients: Clients;
  /** Group membership from outside a hub method. */
  readonly groups: Groups;
  /** Who is in which group, across every process (eventually consistent). */
  readonly presence: Presence;
  /** Figures, lookup and disconnect for an operator's view of this process. */
  readonly admin: HubAdmin;
  readonly #store: ConnectionStore<HubConnection>;
  readonly #manager: LifetimeManager<HubConnection>;
  readonly #handler: ConnectionHandler;
  readonly #drainMs: number;
  readonly #addresses: SlotCounter;
  readonly #userSlots: SlotCounter;
  /** What negotiate lists; fixed by the options, so built once. */
  readonly #offered: AvailableTransport[];
  /** Where requests go (see endpoint_routes.ts). */
  readonly #routes: EndpointRoutes;
  /** The hub's `authorize` rule, checked on every request. */
  readonly #rule: Authorize | undefined;
  readonly #telemetry: HubTelemetry;
  #stopObserving: (() => void) | null = null;
  #stopHeartbeat: (() => void) | null = null;
  #accepting = false;

  /** Mounts `hub` with `options`; call `start()` before serving. */
  constructor(hub: HubDefinition, options: HubServerOptions) {
    const { path, ...rest } = options;
    this.path = path.replace(/\/+$/, "");
    this.name = hub.name ?? hubNameFromPath(this.path);
    this.#telemetry = new HubTelemetry(this.name);
    if (hub.authorize !== undefined) checkRule(hub.authorize);
    this.#rule = hub.authorize;
    checkFilters([...(rest.filters ?? []), ...(hub.filters ?? [])]);
    this.options = resolveHubOptions(rest, [jsonProtocol]);
    validateHubOptions(this.options);
    this.#drainMs = this.options.shutdownDrainMs;
    this.logger = this.options.logger ?? consoleLogger();
    this.#offered = offeredTransports(
      this.options.transports,
      this.options.protocols,
    );
    this.#store = new ConnectionStore(this.options.maxConnections);
    const routing = buildRouting(this.options, this.logger, this.#telemetry);
    this.#manager = routing.manager;
    const { groups, results } = routing;
    this.clients = routing.clients;
    this.localClients = routing.localClients;
    this.groups = groups;
    this.presence = this.#manager.presence;
    const observers = {
      counters: this.counters,
      logger: this.logger,
      telemetry: this.#telemetry,
    };
    this.#addresses = new SlotCounter(this.options.maxConnectionsPerAddress);
    this.#userSlots = new SlotCounter(this.options.maxConnectionsPerUser);
    this.#handler = new ConnectionHandler({
      hub,
      options: this.options,
      store: this.#store,
      manager: this.#manager,
      dispatcher: new Dispatcher(hub, this.options, observers),
      groups,
      results,
      ...observers,
      addresses: this.#addresses,
      userSlots: this.#userSlots,
    });
    this.admin = new HubAdmin(this.#manager, this.#handler, this.counters);
    this.#routes = {
      path: this.path,
      allowedOrigins: this.options.allowedOrigins,
      accepting: () => this.#accepting,
      refuse: (status, message, why) => this.#refuse(status, message, why),
      negotiate: (r, url, address) => this.#negotiate(r, url, address),
      websocket: (r, url, address) => this.#websocket(r, url, address),
      http: (r, url, address) => this.#httpTransport(r, url, address),
    };
  }

  /** Connects the backplane and starts the heartbeat. */
  async start(): Promise<void> {
    await this.#manager.start();
    this.#stopObserving = this.#telemetry.metrics.observe(() => [
      this.counters,
      this.#gauges(),
    ]);
    this.#stopHeartbeat = startHeartbeat(
      this.#store,
      this.options,
      this.#handler,
    );
    this.#accepting = true;
  }

  /** True for requests this hub answers (its path and below, any case). */
  matches(url: URL): boolean {
    return pathMatches(this.path, url);
  }

  /** Answers a request under the hub's path. */
  handle(request: Request, info?: Deno.ServeHandlerInfo): Promise<Response> {
    return answerEndpoint(this.#routes, request, info);
  }

  /**
   * Authenticates and applies the hub's `authorize` rule: the principal
   * (null: anonymous), or the refusal (401 / 403).
   */
  #admit(request: Request): Promise<Principal | null | Response> {
    return admit(request, {
      authenticate: this.options.authenticate,
      rule: this.#rule,
      rolesClaim: this.options.rolesClaim,
      logger: this.logger,
    }, (status, message, why) => this.#refuse(status, message, why));
  }

  #userCapRefusal(): Response {
    return this.#refuse(429, "Too many connections for this user", "user-cap");
  }

  /**
   * A new connection counted against the node cap (503) and the per-
   * address and per-user caps (429). Its slots are taken here, at
   * negotiate, and released at cleanup: checking the open connections
   * instead let a burst of negotiates and upgrades in flight pass the cap
   * together (an attack opened 486 connections for one user against 100).
   */
  #newConnection(
    ids: { id: string; token: string; principal: Principal | null },
    address: string | null,
  ): HubConnection | Response {
    if (this.#store.full) {
      return this.#refuse(503, "Server is full", "capacity");
    }
    if (address !== null && !this.#addresses.acquire(address)) {
      return this.#refuse(
        429,
        "Too many connections from this address",
        "address-cap",
      );
    }
    const user = ids.principal?.userId ?? null;
    if (user !== null && !this.#userSlots.acquire(user)) {
      if (address !== null) this.#addresses.release(address);
      return this.#userCapRefusal();
    }
    const counted = this.options.maxConnectionsPerAddress > 0;
    const connection = new HubConnection(
      {
        ...ids,
        remoteAddress: counted ? address : null,
        userSlot: this.options.maxConnectionsPerUser > 0 ? user : null,
      },
      this.#handler,
      this.options.maxQueuedBytes,
    );
    this.#store.add(connection);
    return connection;
  }

  async #negotiate(
    request: Request,
    url: URL,
    address: string | null,
  ): Promise<Response> {
    if (request.method !== "POST") return text(405, "Use POST to negotiate");
    const principal = await this.#admit(request);
    if (principal instanceof Response) return principal;
    const version = negotiatedVersion(url, this.options);
    if (typeof version === "string") {
      this.#refuse(200, version, "negotiate-version");
      return Response.json({ error: version });
    }
    const id = randomId();
    const ids = { id, token: version >= 1 ? randomId() : id, principal };
    const connection = this.#newConnection(ids, address);
    if (connection instanceof Response) return connection;
    // Offered only when asked: the client fails if offered unasked. Never
    // on version 0, whose token is the public id: anyone could reattach.
    const stateful = this.options.statefulReconnect && version >= 1 &&
      queryValue(url, "useStatefulReconnect") === "true";
    if (stateful) connection.offerStateful();
    return negotiateResponse(version, ids, this.#offered, stateful);
  }

  async #websocket(
    request: Request,
    url: URL,
    address: string | null,
  ): Promise<Response> {
    const token = queryValue(url, "id");
    const principal = await this.#admit(request);
    if (principal instanceof Response) return principal;
    // After admission (401 first, as ASP.NET), before anything is made.
    const refusal = upgradeRefusal(request);
    if (refusal !== null) return text(400, refusal);
    const existing = token === null ? undefined : this.#store.byToken(token);
    if (existing && this.#handler.canReattach(existing)) {
      return this.#reattach(request, existing, principal);
    }
    let connection = existing;
    if (token === null) {
      // skipNegotiation: the socket itself creates the connection.
      const created = this.#newConnection(
        { id: randomId(), token: randomId(), principal },
        address,
      );
      if (created instanceof Response) return created;
      connection = created;
    } else {
      if (!connection) return text(404, "No connection with that id");
      if (connection.state !== "negotiated") {
        return text(409, "A transport is already active for this connection");
      }
      if (!connection.adopt(principal)) {
        return this.#refuse(403, "Not the user that negotiated", "auth");
      }
    }
    const target = connection;
    // Read now: the upgrade consumes the request.
    const info = requestInfo(request, address);
    return acceptWebSocket(
      request,
      (transport) => this.#handler.attach(target, transport, info),
      HUB_SOCKET,
    );
  }

  /**
   * Stateful reconnect: the same token on a new socket resumes the live
   * connection (same id, groups, unacked messages) instead of 409/404.
   */
  #reattach(
    request: Request,
    connection: HubConnection,
    principal: Principal | null,
  ): Response {
    if (!connection.adopt(principal)) {
      return this.#refuse(403, "Not the user that negotiated", "auth");
    }
    return acceptWebSocket(
      request,
      (transport) => this.#handler.reattach(connection, transport),
      HUB_SOCKET,
    );
  }

  /** Non-WebSocket requests on the hub path (SSE, long polling, POST sends). */
  #httpTransport(
    request: Request,
    url: URL,
    address: string | null,
  ): Promise<Response> {
    return serveHttpTransport(
      {
        options: this.options,
        handler: this.#handler,
        byToken: (token) => this.#store.byToken(token),
        admit: (r) => this.#admit(r),
        refuse: (status, message, why) => this.#refuse(status, message, why),
      },
      request,
      url,
      address,
    );
  }

  #refuse(status: number, message: string, why: string): Response {
    this.counters.connectionsRefused++;
    this.logger.log("info", "request.refused", { status, why });
    return text(status, message);
  }

  /** Prometheus text for this hub. */
  metricsText(): string {
    return renderMetrics(this.counters, this.#gauges());
  }

  #gauges(): HubGauges {
    const backplane = this.#manager.backplane.status();
    return {
      ...this.sizes(),
      backplaneHealthy: backplane.healthy,
      backplaneDropped: backplane.dropped,
    };
  }

  /** Liveness and backplane detail. */
  health(): HubHealth {
    return {
      accepting: this.#accepting,
      connections: this.#manager.connections.size,
      backplane: this.#manager.backplane.status(),
    };
  }

  /** Sizes of the internal maps (tests check they return to zero). */
  sizes(): Record<"store" | "connections" | "users" | "groups", number> {
    return {
      store: this.#store.size,
      connections: this.#manager.connections.size,
      users: this.#manager.users.size,
      groups: this.#manager.groups.size,
    };
  }

  /**
   * Stops accepting, tells every client to reconnect elsewhere (Close with
   * `allowReconnect`), waits up to the drain deadline for sockets to
   * close, then stops timers and the backplane.
   */
  async shutdown(): Promise<void> {
    if (!this.#accepting && this.#stopHeartbeat === null) return;
    this.#accepting = false;
    for (const c of this.#store.values()) {
      this.#handler.close(c, "shutdown", "Server is shutting down.", true);
    }
    const deadline = Date.now() + this.#drainMs;
    while (this.#store.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of this.#store.values()) this.#handler.closed(c);
    this.#stopHeartbeat?.();
    this.#stopHeartbeat = null;
    this.#stopObserving?.();
    this.#stopObserving = null;
    await this.#manager.close();
  }
}
