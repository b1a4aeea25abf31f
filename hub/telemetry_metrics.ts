/**
 * OpenTelemetry metrics of a hub: the two SignalR semantic-convention
 * metrics, recorded at connect and close (never per message), and the
 * `/metrics` counters as observable instruments read at export time, so
 * the message path pays nothing for them.
 *
 * @module
 */

import {
  type Attributes,
  type BatchObservableCallback,
  type Histogram,
  metrics,
  type Observable,
  type UpDownCounter,
} from "@opentelemetry/api";
import type { HubCounters, HubGauges } from "./metrics.ts";
import type { TransportName } from "./transports/transport.ts";

/**
 * What telemetry reads of a connection. A structural view, so telemetry
 * (an edge of the hub) does not import the connection class above it.
 */
export interface MeasuredConnection {
  /** The transport's name; it outlives the transport (a closed one has none). */
  readonly transportName: TransportName | null;
  readonly protocol: { readonly name: string } | null;
  /** Why it closed (a `CloseReason` of the connection), once it has. */
  readonly closeReason: string | undefined;
}

/** The instrumentation scope of every span and metric. */
export const INSTRUMENTATION_NAME = "switchboard";

/** `signalr.transport` values, as the OTel semantic conventions spell them. */
const TRANSPORTS: Record<TransportName, string> = {
  WebSockets: "web_sockets",
  ServerSentEvents: "server_sent_events",
  LongPolling: "long_polling",
};

/** The semantic-convention value of a transport name. */
export function transportAttribute(name: TransportName): string {
  return TRANSPORTS[name];
}

/** `signalr.connection.status`: the three values the conventions define. */
export function connectionStatus(reason: string | undefined): string {
  switch (reason) {
    case "shutdown":
      return "app_shutdown";
    case "client-timeout":
    case "handshake-timeout":
    case "negotiate-timeout":
    case "reconnect-timeout":
      return "timeout";
    default:
      return "normal_closure";
  }
}

/**
 * Bucket bounds of the connection duration, in seconds: ASP.NET's, from
 * a blip to several minutes.
 */
const DURATION_BUCKETS = [
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  1,
  2,
  5,
  10,
  30,
  60,
  120,
  300,
];

/** One `/metrics` value as an OTel instrument (names listed in README). */
interface Observed {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly gauge?: boolean;
  read(counters: HubCounters, gauges: HubGauges): number;
}

const OBSERVED: readonly Observed[] = [
  {
    name: "switchboard.messages.received",
    unit: "{message}",
    description: "Hub messages received.",
    read: (c) => c.messagesReceived,
  },
  {
    name: "switchboard.messages.sent",
    unit: "{message}",
    description: "Hub messages queued to clients.",
    read: (c) => c.messagesSent,
  },
  {
    name: "switchboard.messages.dropped",
    unit: "{message}",
    description: "Messages dropped (closed or overflowing connections).",
    read: (c) => c.messagesDropped,
  },
  {
    name: "switchboard.errors",
    unit: "{error}",
    description: "Protocol errors and failed hub methods.",
    read: (c) => c.errors,
  },
  {
    name: "switchboard.slow_consumer.closes",
    unit: "{connection}",
    description: "Connections closed because their send queue overflowed.",
    read: (c) => c.slowConsumerCloses,
  },
  {
    name: "switchboard.connections.opened",
    unit: "{connection}",
    description: "Connections that completed the handshake.",
    read: (c) => c.connectionsOpened,
  },
  {
    name: "switchboard.connections.refused",
    unit: "{request}",
    description: "Requests refused (auth, origin, capacity).",
    read: (c) => c.connectionsRefused,
  },
  {
    name: "switchboard.users",
    unit: "{user}",
    description: "Users with at least one connection.",
    gauge: true,
    read: (_, g) => g.users,
  },
  {
    name: "switchboard.groups",
    unit: "{group}",
    description: "Groups with at least one member.",
    gauge: true,
    read: (_, g) => g.groups,
  },
  {
    name: "switchboard.backplane.up",
    unit: "1",
    description: "1 while the backplane reaches other processes.",
    gauge: true,
    read: (_, g) => g.backplaneHealthy ? 1 : 0,
  },
  {
    name: "switchboard.backplane.dropped",
    unit: "{message}",
    description: "Messages the backplane dropped while down.",
    read: (_, g) => g.backplaneDropped,
  },
];

/** What a connection had at its handshake, for its close. */
interface Opened {
  readonly at: number;
  readonly attributes: Attributes;
}

/** The connection metrics and observed counters of one hub. */
export class TelemetryMetrics {
  readonly #enabled: boolean;
  readonly #hub: Attributes;
  readonly #meter = metrics.getMeter(INSTRUMENTATION_NAME);
  readonly #active: UpDownCounter;
  readonly #duration: Histogram;
  /** Weak: an entry goes with its connection, so it needs no cap. */
  readonly #opened = new WeakMap<MeasuredConnection, Opened>();

  /** Instruments of `hubName`; records nothing unless `enabled`. */
  constructor(hubName: string, enabled: boolean) {
    this.#enabled = enabled;
    this.#hub = { "switchboard.hub": hubName };
    this.#active = this.#meter.createUpDownCounter(
      "signalr.server.active_connections",
      {
        unit: "{connection}",
        description: "Number of connections that are currently active.",
      },
    );
    this.#duration = this.#meter.createHistogram(
      "signalr.server.connection.duration",
      {
        unit: "s",
        description: "The duration of connections on the server.",
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      },
    );
  }

  /** `signalr.transport` and `signalr.protocol` of a connection. */
  connectionAttributes(connection: MeasuredConnection): Attributes {
    const opened = this.#opened.get(connection);
    if (opened) return opened.attributes;
    const attributes: Attributes = {};
    // The name outlives the transport: a closed connection has none.
    if (connection.transportName) {
      attributes["signalr.transport"] = transportAttribute(
        connection.transportName,
      );
    }
    if (connection.protocol) {
      attributes["signalr.protocol"] = connection.protocol.name;
    }
    return attributes;
  }

  /** The handshake completed: one more active connection. */
  connected(connection: MeasuredConnection, now: number): void {
    if (!this.#enabled) return;
    const attributes = this.connectionAttributes(connection);
    this.#opened.set(connection, { at: now, attributes });
    this.#active.add(1, transportOnly(attributes));
  }

  /** A connected connection closed: one fewer, and how long it lived. */
  closed(connection: MeasuredConnection, now: number): void {
    const opened = this.#opened.get(connection);
    if (!opened) return;
    this.#opened.delete(connection);
    const transport = transportOnly(opened.attributes);
    this.#active.add(-1, transport);
    this.#duration.record((now - opened.at) / 1000, {
      ...transport,
      "signalr.connection.status": connectionStatus(connection.closeReason),
    });
  }

  /**
   * Publishes the `/metrics` values, read by `read` at each export.
   * Returns the function that stops it (hub shutdown).
   */
  observe(read: () => [HubCounters, HubGauges]): () => void {
    if (!this.#enabled) return () => {};
    const instruments = new Map<Observed, Observable>();
    for (const o of OBSERVED) {
      const options = { unit: o.unit, description: o.description };
      instruments.set(
        o,
        o.gauge
          ? this.#meter.createObservableGauge(o.name, options)
          : this.#meter.createObservableCounter(o.name, options),
      );
    }
    const callback: BatchObservableCallback = (result) => {
      const [counters, gauges] = read();
      for (const [o, instrument] of instruments) {
        result.observe(instrument, o.read(counters, gauges), this.#hub);
      }
    };
    const observables = [...instruments.values()];
    this.#meter.addBatchObservableCallback(callback, observables);
    return () =>
      this.#meter.removeBatchObservableCallback(callback, observables);
  }
}

function transportOnly(attributes: Attributes): Attributes {
  return { "signalr.transport": attributes["signalr.transport"] };
}
