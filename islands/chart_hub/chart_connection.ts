/**
 * The tab's one connection to the chart hub, shared by the LiveChart,
 * Groups and User islands so the page shows a single connection id.
 *
 * Islands get it only as `typedConnection<ChartServer, ChartClient>`, so
 * every method name, argument, result and event they use is checked
 * against chart/chart_contract.ts by `deno task check`; the untyped
 * `HubConnection` stays inside this file for start, stop and reconnects.
 *
 * Connection state lives in module-level signals. That is safe only because
 * they are written from effects and event handlers, which never run during
 * a server render; the server always renders the initial "connecting".
 *
 * @module
 */

import {
  HubConnectionBuilder,
  LogLevel,
  type RetryContext,
} from "@microsoft/signalr";
import { signal } from "@preact/signals";
import {
  typedConnection,
  type TypedHubConnection,
} from "../../hub/typed_connection.ts";
import type { ChartClient, ChartServer } from "../../chart/chart_contract.ts";

/** The chart hub as the contract types it. */
export type ChartHub = TypedHubConnection<ChartServer, ChartClient>;

/** What the page shows about the connection. */
export type ConnectionState =
  | "connecting"
  | "connected"
  | "reconnecting"
  | "disconnected";

/** The connection's state, for status badges. */
export const connectionState = signal<ConnectionState>("connecting");

/** The id from `GetConnectionId()`; null while not connected. */
export const connectionId = signal<string | null>(null);

/** How long to keep retrying before showing "disconnected" and a button. */
export const GIVE_UP_AFTER_MS = 5 * 60_000;

/** Waits between attempts: quick at first, then every 5 s with jitter. */
const DELAYS_MS = [0, 1_000, 2_000, 5_000];

let connection: ChartHub | null = null;

// Bumped by each (re)start so the retries of an older start stop.
let generation = 0;

// Set while a restart stops the connection on purpose: not a give-up.
let restarting = false;

/**
 * Returns the shared connection, creating and starting it on first use.
 * Browser only: call it from an effect.
 */
export function chartConnection(hubPath = "/chart"): ChartHub {
  if (connection) return connection;
  const built = new HubConnectionBuilder()
    .withUrl(hubPath)
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: retryDelay })
    .configureLogging(LogLevel.Warning)
    .build();
  built.onreconnecting(() => {
    connectionState.value = "reconnecting";
    connectionId.value = null;
  });
  const hub = typedConnection<ChartServer, ChartClient>(built);
  built.onreconnected(() => void announce(hub));
  built.onclose(() => {
    if (restarting) return;
    connectionState.value = "disconnected";
    connectionId.value = null;
  });
  connection = hub;
  void startWithRetry(hub, ++generation, Date.now(), 0);
  return hub;
}

/** Starts again after the connection gave up ("disconnected"). */
export function reconnect(): void {
  if (connection && connectionState.value === "disconnected") {
    void startWithRetry(connection, ++generation, Date.now(), 0);
  }
}

/**
 * Connects anew after sign-in or sign-out: the hub fixes a connection's
 * user when it connects, from the session cookie sent with it. Handlers
 * stay; the state reads "connecting" at once so nothing mistakes the old
 * identity's connection for the new one. Resolves once started.
 */
export async function restartConnection(): Promise<void> {
  const hub = connection;
  if (!hub) return;
  const run = ++generation;
  connectionState.value = "connecting";
  connectionId.value = null;
  restarting = true;
  try {
    await hub.connection.stop();
  } finally {
    restarting = false;
  }
  if (run === generation) await startWithRetry(hub, run, Date.now(), 0);
}

/** Invokes a hub method; rejects with a readable error when offline. */
export const invoke: ChartHub["invoke"] = (method, ...args) => {
  if (!connection || connectionState.value !== "connected") {
    return Promise.reject(new Error("Not connected to the hub yet"));
  }
  return connection.invoke(method, ...args);
};

function retryDelay(context: RetryContext): number | null {
  if (context.elapsedMilliseconds > GIVE_UP_AFTER_MS) return null;
  const base =
    DELAYS_MS[Math.min(context.previousRetryCount, DELAYS_MS.length - 1)];
  // Jitter spreads a restart's reconnect storm over a second.
  return base === 0 ? 0 : base + Math.floor(Math.random() * 1_000);
}

// `withAutomaticReconnect` covers drops after a successful start only; the
// first start (server not up yet) is retried here with the same policy.
async function startWithRetry(
  hub: ChartHub,
  run: number,
  since: number,
  attempt: number,
): Promise<void> {
  if (run !== generation) return;
  connectionState.value = attempt === 0 ? "connecting" : "reconnecting";
  try {
    await hub.connection.start();
  } catch {
    const delay = retryDelay({
      previousRetryCount: attempt,
      elapsedMilliseconds: Date.now() - since,
      retryReason: new Error("start failed"),
    });
    if (delay === null) {
      connectionState.value = "disconnected";
      return;
    }
    setTimeout(() => void startWithRetry(hub, run, since, attempt + 1), delay);
    return;
  }
  await announce(hub);
}

async function announce(hub: ChartHub): Promise<void> {
  connectionState.value = "connected";
  try {
    connectionId.value = await hub.invoke("GetConnectionId");
  } catch {
    // The connection dropped again; the reconnect handlers take over.
  }
}
