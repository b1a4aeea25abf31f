/**
 * Raw connections without a hub (ASP.NET's `MapConnectionHandler`):
 * negotiate and all three transports, the same limits, origin check and
 * authentication as a hub, but no handshake and no hub protocol. The app
 * gets each connection's messages and sends its own.
 *
 * @example
 * ```ts
 * const echo = new ConnectionServer({
 *   path: "/echo",
 *   async onConnection(connection) {
 *     for await (const message of connection.messages) connection.send(message);
 *   },
 * });
 * await echo.start();
 * Deno.serve((req, info) => echo.handle(req, info));
 * ```
 *
 * @module
 */

import {
  type HubOptions,
  type Principal,
  type ResolvedHubOptions,
  resolveHubOptions,
} from "./options.ts";
import { TransportConnection } from "./transport_connection.ts";
import { validateHubOptions } from "./options_validation.ts";
import { jsonProtocol } from "./protocol/json.ts";
import { ConnectionStore } from "./connection_store.ts";
import { HubCounters } from "./metrics.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { heartbeatInterval } from "./heartbeat.ts";
import { randomId } from "./random_id.ts";
import { SlotCounter } from "./rate_limit.ts";
import { UserIndex } from "./user_index.ts";
import { type Authorize, checkRule } from "./authorization.ts";
import { admit } from "./admission.ts";
import { requestInfo } from "./request_info.ts";
import {
  type AvailableTransport,
  negotiatedVersion,
  negotiateResponse,
} from "./negotiate.ts";
import { queryValue } from "./query_value.ts";
import {
  answerEndpoint,
  type EndpointRoutes,
  pathMatches,
} from "./endpoint_routes.ts";
import { acceptWebSocket, upgradeRefusal } from "./transports/websocket.ts";
import { serveHttpTransport, text } from "./transports/http_requests.ts";
import { type ConnectionCallback, RawConnections } from "./raw_connections.ts";

export type { ConnectionCallback, RawConnection } from "./raw_connections.ts";

/** Where raw connections are served and what handles them. */
export interface ConnectionEndpoint {
  /** Where it lives, e.g. "/echo"; negotiate is at `${path}/negotiate`. */
  readonly path: string;
  /** Called once per connection; the connection ends when it returns. */
  readonly onConnection: ConnectionCallback;
  /** Who may connect, as a hub's `authorize` (401 / 403). */
  readonly authorize?: Authorize;
}

/** Raw connections served over HTTP, WebSockets, SSE and long polling. */
export class ConnectionServer {
  readonly path: string;
  readonly options: ResolvedHubOptions;
  readonly counters: HubCounters = new HubCounters();
  readonly logger: Logger;
  readonly #routes: EndpointRoutes;
  readonly #rule: Authorize | undefined;
  readonly #store: ConnectionStore<TransportConnection>;
  readonly #users = new UserIndex();
  readonly #addresses: SlotCounter;
  readonly #userSlots: SlotCounter;
  readonly #raw: RawConnections;
  readonly #offered: AvailableTransport[];
  #timer: ReturnType<typeof setInterval> | null = null;
  #accepting = false;

  /** Mounts `endpoint`; hub options that apply here (limits, auth) too. */
  constructor(endpoint: ConnectionEndpoint, options: HubOptions = {}) {
    if (typeof endpoint.onConnection !== "function") {
      throw new TypeError("onConnection must be a function");
    }
    if (endpoint.authorize !== undefined) checkRule(endpoint.authorize);
    this.path = endpoint.path.replace(/\/+$/, "");
    this.#rule = endpoint.authorize;
    // Raw connections have no hub protocol; JSON only fills the option.
    this.options = resolveHubOptions(options, [jsonProtocol]);
    validateHubOptions(this.options);
    this.logger = this.options.logger ?? consoleLogger();
    this.#store = new ConnectionStore(this.options.maxConnections);
    this.#addresses = new SlotCounter(this.options.maxConnectionsPerAddress);
    this.#userSlots = new SlotCounter(this.options.maxConnectionsPerUser);
    // Raw data has no format of its own: both, except SSE (text only).
    this.#offered = this.options.transports.map((transport) => ({
      transport,
      transferFormats: transport === "ServerSentEvents"
        ? ["Text"] as const
        : ["Text", "Binary"] as const,
    }));
    this.#raw = new RawConnections({
      options: this.options,
      store: this.#store,
      users: this.#users,
      addresses: this.#addresses,
      userSlots: this.#userSlots,
      counters: this.counters,
      logger: this.logger,
      onConnection: endpoint.onConnection,
    });
    this.#routes = {
      path: this.path,
      allowedOrigins: this.options.allowedOrigins,
      accepting: () => this.#accepting,
      refuse: (status, message, why) => this.#refuse(status, message, why),
      negotiate: (r, url, address) => this.#negotiate(r, url, address),
      websocket: (r, url, address) => this.#websocket(r, url, address),
      http: (r, url, address) => this.#http(r, url, address),
    };
  }

  /** Starts the sweep of deadlines (negotiate, long-poll inactivity). */
  start(): Promise<void> {
    const raw = this.#raw;
    const store = this.#store;
    this.#timer ??= setInterval(() => {
      const now = Date.now();
      for (const c of store.values()) raw.sweep(c, now);
    }, heartbeatInterval(this.options));
    this.#accepting = true;
    return Promise.resolve();
  }

  /** True for requests this endpoint answers (case-insensitive path). */
  matches(url: URL): boolean {
    return pathMatches(this.path, url);
  }

  /** Open connections (tests check it returns to zero). */
  get size(): number {
    return this.#store.size;
  }

  /** Answers a request under the endpoint's path. */
  handle(request: Request, info?: Deno.ServeHandlerInfo): Promise<Response> {
    return answerEndpoint(this.#routes, request, info);
  }

  #http(request: Request, url: URL, address: string | null) {
    return serveHttpTransport(
      {
        options: this.options,
        handler: this.#raw,
        byToken: (token) => this.#store.byToken(token),
        admit: (r) => this.#admit(r),
        refuse: (status, message, why) => this.#refuse(status, message, why),
        readBody: (connection, r) => this.#raw.readBody(connection, r),
      },
      request,
      url,
      address,
    );
  }

  /** Authentication, then the endpoint's rule (401 / 403). */
  #admit(request: Request): Promise<Principal | null | Response> {
    return admit(request, {
      authenticate: this.options.authenticate,
      rule: this.#rule,
      rolesClaim: this.options.rolesClaim,
      logger: this.logger,
    }, (status, message, why) => this.#refuse(status, message, why));
  }

  /** A new connection within the node, address and user caps. */
  #newConnection(
    principal: Principal | null,
    address: string | null,
    separateToken = true,
  ): TransportConnection | Response {
    const user = principal?.userId ?? null;
    if (user !== null && this.#userSlots.full(user)) {
      return this.#refuse(
        429,
        "Too many connections for this user",
        "user-cap",
      );
    }
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
    // Taken now, not counted from open connections: a burst of negotiates
    // in flight would otherwise pass the cap together. Free (checked above).
    if (user !== null) this.#userSlots.acquire(user);
    const id = randomId();
    // Negotiate version 0 has no token: transports name the id.
    const token = separateToken ? randomId() : id;
    const connection = new TransportConnection(
      {
        id,
        token,
        principal,
        remoteAddress: address,
        userSlot: this.options.maxConnectionsPerUser > 0 ? user : null,
      },
      this.#raw,
      this.options.maxQueuedBytes,
    );
    this.#store.add(connection);
    return connection;
  }

  async #negotiate(request: Request, url: URL, address: string | null) {
    if (request.method !== "POST") return text(405, "Use POST to negotiate");
    const principal = await this.#admit(request);
    if (principal instanceof Response) return principal;
    const version = negotiatedVersion(url, this.options);
    if (typeof version === "string") {
      this.#refuse(200, version, "negotiate-version");
      return Response.json({ error: version });
    }
    const connection = this.#newConnection(principal, address, version >= 1);
    if (connection instanceof Response) return connection;
    return negotiateResponse(version, connection, this.#offered);
  }

  async #websocket(request: Request, url: URL, address: string | null) {
    const principal = await this.#admit(request);
    if (principal instanceof Response) return principal;
    // After admission (401 first, as ASP.NET), before anything is made.
    const refusal = upgradeRefusal(request);
    if (refusal !== null) return text(400, refusal);
    const token = queryValue(url, "id");
    let connection: TransportConnection | Response | undefined;
    if (token === null) {
      connection = this.#newConnection(principal, address); // skipNegotiation
    } else {
      connection = this.#store.byToken(token);
      if (!connection) return text(404, "No connection with that id");
      if (connection.state !== "negotiated") {
        return text(409, "A transport is already active for this connection");
      }
      if (!connection.adopt(principal)) {
        return this.#refuse(403, "Not the user that negotiated", "auth");
      }
    }
    if (connection instanceof Response) return connection;
    const target = connection;
    const info = requestInfo(request, address);
    return acceptWebSocket(
      request,
      (transport) => this.#raw.attach(target, transport, info),
      { opened: () => this.#raw.opened(target) },
    );
  }

  #refuse(status: number, message: string, why: string): Response {
    this.counters.connectionsRefused++;
    this.logger.log("info", "request.refused", { status, why });
    return text(status, message);
  }

  /** Stops accepting, closes every connection, waits for them to drain. */
  async shutdown(): Promise<void> {
    this.#accepting = false;
    for (const c of this.#store.values()) this.#raw.close(c, "shutdown");
    const deadline = Date.now() + this.options.shutdownDrainMs;
    while (this.#store.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of this.#store.values()) this.#raw.closed(c);
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
