/**
 * The official `@microsoft/signalr` client, built the way apps build it,
 * with quiet logging so test output stays readable.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";

/** Options for a test connection. */
export interface ClientOptions {
  accessTokenFactory?: () => string | Promise<string>;
  transport?: signalR.HttpTransportType;
  skipNegotiation?: boolean;
  headers?: Record<string, string>;
  protocol?: signalR.IHubProtocol;
  /** `withAutomaticReconnect(policy)`. */
  reconnect?: signalR.IRetryPolicy;
  /** Client ping interval (`withKeepAliveInterval`). */
  keepAliveMs?: number;
  /** `withStatefulReconnect()`: resume on a new socket, nothing lost. */
  statefulReconnect?: boolean;
}

/** A connection to `${baseUrl}${path}`, not started: add handlers first. */
export function buildConnection(
  baseUrl: string,
  path = "/chart",
  options: ClientOptions = {},
): signalR.HubConnection {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + path, {
      accessTokenFactory: options.accessTokenFactory,
      transport: options.transport,
      skipNegotiation: options.skipNegotiation,
      headers: options.headers,
    })
    .configureLogging(signalR.LogLevel.None);
  if (options.protocol) builder = builder.withHubProtocol(options.protocol);
  if (options.keepAliveMs) {
    builder = builder.withKeepAliveInterval(options.keepAliveMs);
  }
  if (options.reconnect) {
    builder = builder.withAutomaticReconnect(options.reconnect);
  }
  if (options.statefulReconnect) builder = builder.withStatefulReconnect();
  return builder.build();
}

/** A started connection to `${baseUrl}${path}`. */
export async function connect(
  baseUrl: string,
  path = "/chart",
  options: ClientOptions = {},
): Promise<signalR.HubConnection> {
  const connection = buildConnection(baseUrl, path, options);
  await connection.start();
  return connection;
}

/** Resolves with the next `event` the connection receives (or times out). */
export function nextEvent<T = unknown>(
  connection: signalR.HubConnection,
  event: string,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off(event, handler);
      reject(new Error(`No '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (value: T) => {
      clearTimeout(timer);
      connection.off(event, handler);
      resolve(value);
    };
    connection.on(event, handler);
  });
}

/** Collects every `event` into an array (the handler returns nothing). */
export function collect<T = unknown>(
  connection: signalR.HubConnection,
  event: string,
): T[] {
  const seen: T[] = [];
  connection.on(event, (value: T) => {
    seen.push(value);
  });
  return seen;
}

/** Every item of a stream, once it completes; rejects with its error. */
export function drainStream<T>(result: signalR.IStreamResult<T>): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    result.subscribe({
      next: (item) => items.push(item),
      complete: () => resolve(items),
      error: reject,
    });
  });
}

/**
 * Every transport × protocol pair the official client supports, as
 * [name, transport, MessagePack?]: SSE cannot carry MessagePack.
 */
export const transportPairs: [string, signalR.HttpTransportType, boolean][] = [
  ["WebSockets + JSON", signalR.HttpTransportType.WebSockets, false],
  [
    "ServerSentEvents + JSON",
    signalR.HttpTransportType.ServerSentEvents,
    false,
  ],
  ["LongPolling + JSON", signalR.HttpTransportType.LongPolling, false],
  ["WebSockets + MessagePack", signalR.HttpTransportType.WebSockets, true],
  ["LongPolling + MessagePack", signalR.HttpTransportType.LongPolling, true],
];

export { signalR };
