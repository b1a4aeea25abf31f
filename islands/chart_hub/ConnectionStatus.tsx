/**
 * The connection badge: state, the connection id, and a retry button once
 * automatic reconnection has given up.
 *
 * @module
 */

import {
  connectionId,
  connectionState,
  reconnect,
} from "./chart_connection.ts";

const LABELS = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
} as const;

/** Shows the shared connection's state and id. */
export function ConnectionStatus() {
  const state = connectionState.value;
  return (
    <div class="status" role="status">
      <span class="badge" data-state={state} data-testid="connection-state">
        {LABELS[state]}
      </span>
      <span class="conn-id">
        id <code data-testid="connection-id">{connectionId.value ?? "—"}</code>
      </span>
      {state === "disconnected" && (
        <button type="button" onClick={reconnect}>Reconnect</button>
      )}
    </div>
  );
}
