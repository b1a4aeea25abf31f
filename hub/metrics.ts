/**
 * Counters for `/metrics`, rendered as Prometheus text. Gauges are read
 * from the live maps at render time, so they cannot drift.
 *
 * @module
 */

/** Counters a hub increments; all monotonic. */
export class HubCounters {
  messagesReceived = 0;
  messagesSent = 0;
  messagesDropped = 0;
  errors = 0;
  slowConsumerCloses = 0;
  connectionsOpened = 0;
  connectionsRefused = 0;
}

/** Values read at render time. */
export interface HubGauges {
  readonly connections: number;
  readonly users: number;
  readonly groups: number;
  readonly backplaneHealthy: boolean;
  readonly backplaneDropped: number;
}

function line(name: string, type: string, help: string, value: number) {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}

/** Prometheus text exposition of one hub's counters and gauges. */
export function renderMetrics(c: HubCounters, g: HubGauges): string {
  return [
    line(
      "switchboard_connections",
      "gauge",
      "Open hub connections.",
      g.connections,
    ),
    line(
      "switchboard_users",
      "gauge",
      "Users with at least one connection.",
      g.users,
    ),
    line(
      "switchboard_groups",
      "gauge",
      "Groups with at least one member.",
      g.groups,
    ),
    line(
      "switchboard_messages_received_total",
      "counter",
      "Hub messages received.",
      c.messagesReceived,
    ),
    line(
      "switchboard_messages_sent_total",
      "counter",
      "Hub messages queued to clients.",
      c.messagesSent,
    ),
    line(
      "switchboard_messages_dropped_total",
      "counter",
      "Messages dropped (closed or overflowing connections, refused calls).",
      c.messagesDropped,
    ),
    line(
      "switchboard_errors_total",
      "counter",
      "Protocol errors and failed hub methods.",
      c.errors,
    ),
    line(
      "switchboard_slow_consumer_closes_total",
      "counter",
      "Connections closed because their send queue overflowed.",
      c.slowConsumerCloses,
    ),
    line(
      "switchboard_connections_opened_total",
      "counter",
      "Connections that completed the handshake.",
      c.connectionsOpened,
    ),
    line(
      "switchboard_connections_refused_total",
      "counter",
      "Requests refused (auth, origin, capacity).",
      c.connectionsRefused,
    ),
    line(
      "switchboard_backplane_up",
      "gauge",
      "1 while the backplane reaches other processes.",
      g.backplaneHealthy ? 1 : 0,
    ),
    line(
      "switchboard_backplane_dropped_total",
      "counter",
      "Messages the backplane dropped while down.",
      g.backplaneDropped,
    ),
  ].join("");
}
