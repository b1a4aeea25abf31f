/**
 * A hub's connection handler over its real parts (memory backplane,
 * lifetime manager, dispatcher, client results) with connections carried
 * by `FakeTransport`s: what the unit tests of the handler and dispatcher
 * drive, so the connection rules read without sockets or a server.
 *
 * @module
 */

import { HubConnection } from "./connection.ts";
import { ConnectionHandler } from "./connection_handler.ts";
import { ConnectionStore } from "./connection_store.ts";
import { Dispatcher } from "./dispatcher.ts";
import { ClientResults } from "./client_results.ts";
import { LifetimeManager } from "./lifetime_manager.ts";
import { HubGroups } from "./clients.ts";
import { HubCounters } from "./metrics.ts";
import { MemoryBackplane } from "./backplane/memory.ts";
import type { HubDefinition } from "./hub_definition.ts";
import type { LogFields, Logger, LogLevel } from "./logger.ts";
import {
  type HubOptions,
  type ResolvedHubOptions,
  resolveHubOptions,
} from "./options.ts";
import { jsonProtocol } from "./protocol/json.ts";
import { RECORD_SEPARATOR } from "./protocol/json.ts";
import { requestInfo } from "./request_info.ts";
import type { TransportName } from "./transports/transport.ts";
import { FakeTransport } from "./fake_transport.ts";

/** One logged event. */
export interface LoggedEvent {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: LogFields | undefined;
}

/** A connection and the fake transport that carries it. */
export interface FakeClient {
  readonly connection: HubConnection;
  readonly transport: FakeTransport;
}

/** The JSON handshake request of protocol version `version`. */
export function handshakeRequest(version = 1): string {
  return JSON.stringify({ protocol: "json", version }) + RECORD_SEPARATOR;
}

/** A handler, its parts, and a way to connect fake clients. */
export class HandlerHarness {
  readonly options: ResolvedHubOptions;
  readonly counters: HubCounters = new HubCounters();
  readonly logs: LoggedEvent[] = [];
  readonly store: ConnectionStore<HubConnection>;
  readonly manager: LifetimeManager<HubConnection>;
  readonly dispatcher: Dispatcher;
  readonly handler: ConnectionHandler;
  #next = 0;

  /** `hub` with `options`, served to fake transports only. */
  constructor(hub: HubDefinition, options: HubOptions = {}) {
    this.options = resolveHubOptions(options, [jsonProtocol]);
    const logger: Logger = {
      log: (level, event, fields) => this.logs.push({ level, event, fields }),
    };
    this.store = new ConnectionStore(this.options.maxConnections);
    const manager = new LifetimeManager<HubConnection>(
      new MemoryBackplane(),
      this.options,
      logger,
    );
    this.manager = manager;
    const observers = { counters: this.counters, logger };
    this.dispatcher = new Dispatcher(hub, this.options, observers);
    this.handler = new ConnectionHandler({
      hub,
      options: this.options,
      store: this.store,
      manager,
      dispatcher: this.dispatcher,
      groups: new HubGroups(manager, this.options.maxGroupNameLength),
      results: new ClientResults(
        (id) => manager.connections.get(id),
        this.options,
      ),
      ...observers,
    });
  }

  /** A negotiated connection (no transport yet). */
  negotiate(statefulOffered = false): HubConnection {
    const n = ++this.#next;
    const connection = new HubConnection(
      { id: `c${n}`, token: `t${n}`, principal: null },
      this.handler,
      this.options.maxQueuedBytes,
    );
    if (statefulOffered) connection.offerStateful();
    this.store.add(connection);
    return connection;
  }

  /** Binds a new fake transport to `connection`. */
  attach(
    connection: HubConnection,
    name: TransportName = "WebSockets",
  ): FakeTransport {
    const transport = new FakeTransport(name);
    const request = requestInfo(new Request("http://127.0.0.1/hub"), null);
    transport.bind(this.handler.attach(connection, transport, request));
    return transport;
  }

  /** A client that negotiated, attached and sent its handshake. */
  connect(version = 1, statefulOffered = false): FakeClient {
    const connection = this.negotiate(statefulOffered);
    const transport = this.attach(connection);
    transport.receive(handshakeRequest(version));
    return { connection, transport };
  }

  /** The events logged under `name`. */
  events(name: string): LoggedEvent[] {
    return this.logs.filter((e) => e.event === name);
  }

  /** Stops the lifetime manager's timers. */
  close(): Promise<void> {
    return this.manager.close();
  }
}

/** Lets queued microtasks and promise chains run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}
