/**
 * The UserPanel's own connection to the chart hub. The browser sends the
 * session cookie with negotiate and the WebSocket upgrade (same origin),
 * so the connection belongs to the signed-in user; signing in or out
 * therefore means a new connection.
 *
 * @module
 */

import {
  type HubConnection,
  HubConnectionBuilder,
  LogLevel,
} from "@microsoft/signalr";

/** What the panel hears from the hub. */
export interface UserHubEvents {
  /** A `broadcasttouser` message for the signed-in user. */
  message(text: string): void;
  /** Connection state for display ("connecting", "connected", ...). */
  state(state: string): void;
  /** The connection came back after a drop (maybe under a new identity). */
  reconnected(): void;
}

/** Starts a connection to `/chart`; returns it once connected. */
export async function connectUserHub(
  events: UserHubEvents,
): Promise<HubConnection> {
  const connection = new HubConnectionBuilder()
    .withUrl("/chart")
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
  connection.on(
    "broadcasttouser",
    (data: unknown) => events.message(String(data)),
  );
  // The chart stream reaches every connection; this panel ignores it.
  connection.on("transferchartdata", () => {});
  connection.onreconnecting(() => events.state("reconnecting"));
  connection.onreconnected(() => {
    events.state("connected");
    events.reconnected();
  });
  connection.onclose(() => events.state("disconnected"));
  events.state("connecting");
  await connection.start();
  events.state("connected");
  return connection;
}
