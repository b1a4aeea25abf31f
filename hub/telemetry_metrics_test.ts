import assert from "node:assert/strict";
import { connectionStatus, transportAttribute } from "./telemetry_metrics.ts";
import { hubNameFromPath } from "./hub_definition.ts";

Deno.test("signalr.connection.status: timeouts, shutdown, the rest normal", () => {
  assert.equal(connectionStatus("shutdown"), "app_shutdown");
  for (
    const reason of [
      "client-timeout",
      "handshake-timeout",
      "negotiate-timeout",
      "reconnect-timeout",
    ] as const
  ) assert.equal(connectionStatus(reason), "timeout");
  for (
    const reason of ["client-closed", "transport-lost", "aborted"] as const
  ) assert.equal(connectionStatus(reason), "normal_closure");
});

Deno.test("signalr.transport: the semantic-convention spelling", () => {
  assert.equal(transportAttribute("WebSockets"), "web_sockets");
  assert.equal(transportAttribute("ServerSentEvents"), "server_sent_events");
  assert.equal(transportAttribute("LongPolling"), "long_polling");
});

Deno.test("hub names from paths, in .NET's class-name style", () => {
  assert.equal(hubNameFromPath("/chart"), "ChartHub");
  assert.equal(hubNameFromPath("/hubs/live-chart/"), "LiveChartHub");
  assert.equal(hubNameFromPath("/notificationHub"), "NotificationHub");
  assert.equal(hubNameFromPath("/"), "Hub");
});
