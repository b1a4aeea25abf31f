/**
 * OpenTelemetry end to end: a hub process run with `OTEL_DENO=true`
 * exporting OTLP http/json to a receiver here. Spans (names, attributes,
 * parent/child, error status), log correlation, and the two SignalR
 * metrics by transport and close status.
 */

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { AppProcess } from "./helpers/app_process.ts";
import { OtlpReceiver, type ReceivedSpan } from "./helpers/otlp_receiver.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const NODE = "tests/helpers/cluster_node.ts";
const HUB = "ClusterHub"; // derived from the path /cluster
const SERVER = 2;
const INTERNAL = 1;
const ERROR = 2;
/** How long a stopping node may take before SIGKILL. */
const STOP_GRACE_MS = 3_000;

async function withNode(
  env: Record<string, string>,
  body: (node: AppProcess, receiver: OtlpReceiver) => Promise<void>,
): Promise<OtlpReceiver> {
  const receiver = OtlpReceiver.start();
  const node = await AppProcess.start(NODE, receiver.env(env));
  try {
    await body(node, receiver);
  } finally {
    // SIGTERM: the hub shuts down and the node waits for one more export;
    // Deno's own flush at exit may then hang, hence the short grace.
    await node.stop("SIGTERM", STOP_GRACE_MS);
    await receiver.close();
  }
  return receiver;
}

function childrenOf(spans: ReceivedSpan[], parent: ReceivedSpan) {
  return spans.filter((s) =>
    s.parentSpanId === parent.spanId && s.traceId === parent.traceId
  );
}

Deno.test("telemetry: every invocation is a span named and attributed as SignalR's", async () => {
  let log: readonly string[] = [];
  // Debug: the connection's open line is read below.
  const receiver = await withNode(
    { LOG_LEVEL: "debug" },
    async (node, receiver) => {
      const conn = await connect(node.url, "/cluster", {
        transport: signalR.HttpTransportType.WebSockets,
      });
      try {
        // Any casing reaches the method; the span carries the declared name.
        assert.equal(await conn.invoke("eCHO", "hi"), "hi");
        await assert.rejects(conn.invoke("Fail"), /Refused on purpose/);
        await assert.rejects(conn.invoke("Crash"), /unexpected error/);
        await assert.rejects(conn.invoke("Echo"), /argument/); // wrong count
        await assert.rejects(conn.invoke("NoSuchMethod"), /Unknown hub method/);
        assert.equal(await conn.invoke("Nested"), 200);
        const items: number[] = [];
        await new Promise<void>((resolve, reject) =>
          conn.stream<number>("Count", 3).subscribe({
            next: (n) => items.push(n),
            complete: resolve,
            error: reject,
          })
        );
        assert.deepEqual(items, [0, 1, 2]);
        const upload = new signalR.Subject<number>();
        const sum = conn.invoke("Sum", upload);
        upload.next(4);
        upload.next(5);
        upload.complete();
        assert.equal(await sum, 9);
      } finally {
        await conn.stop();
      }
      await waitUntil(
        () =>
          receiver.spans().some((s) => s.name === `${HUB}/OnDisconnectedAsync`),
        "the OnDisconnectedAsync span",
      );
      log = node.log;
    },
  );
  const spans = receiver.spans();

  // Two Echo calls: the good one, and the one refused for its arguments.
  const echoes = spans.filter((s) => s.name === `${HUB}/Echo`);
  assert.equal(echoes.length, 2);
  const echo = echoes.find((s) => s.statusCode === 0)!;
  const refused = echoes.find((s) => s.statusCode === ERROR)!;
  assert.equal(refused.attributes["error.type"], "_OTHER");
  assert.equal(echo.kind, SERVER);
  assert.equal(echo.parentSpanId, "", "an invocation starts its own trace");
  assert.equal(echo.statusCode, 0);
  assert.deepEqual(echo.attributes, {
    "rpc.system": "signalr",
    "rpc.service": HUB,
    "rpc.method": "Echo",
    "signalr.transport": "web_sockets",
    "signalr.protocol": "json",
  });

  const fail = receiver.span(`${HUB}/Fail`);
  assert.equal(fail.statusCode, ERROR);
  assert.equal(fail.attributes["error.type"], "HubError");
  const crash = receiver.span(`${HUB}/Crash`);
  assert.equal(crash.statusCode, ERROR);
  assert.equal(crash.attributes["error.type"], "RangeError");
  // An unknown method has no declared name, so no span.
  assert.equal(spans.some((s) => s.name.includes("NoSuchMethod")), false);

  // A span the method starts and its fetch are children of the call, and
  // the fetched server's request span continues the same trace.
  const nested = receiver.span(`${HUB}/Nested`);
  const children = childrenOf(spans, nested);
  assert.ok(children.some((s) => s.name === "work"), "user span is a child");
  const fetchSpan = children.find((s) => s.kind === 3);
  assert.ok(fetchSpan, `fetch span is a child: ${children.map((s) => s.name)}`);
  assert.ok(childrenOf(spans, fetchSpan).some((s) => s.kind === SERVER));

  assert.equal(receiver.span(`${HUB}/Count`).statusCode, 0);
  assert.equal(receiver.span(`${HUB}/Sum`).statusCode, 0);

  for (const hook of ["OnConnectedAsync", "OnDisconnectedAsync"]) {
    const span = receiver.span(`${HUB}/${hook}`);
    assert.equal(span.kind, INTERNAL);
    assert.equal(span.attributes["rpc.method"], hook);
    assert.equal(span.attributes["signalr.transport"], "web_sockets");
  }

  // The failure logged inside Crash carries its ids, in the JSON line and
  // in the OTLP log record Deno makes of it.
  const line = log.find((l) => l.includes('"hub.method_failed"'));
  assert.ok(line, "the failure is logged");
  const event = JSON.parse(line);
  assert.equal(event.trace_id, crash.traceId);
  assert.equal(event.span_id, crash.spanId);
  const record = receiver.logs().find((r) =>
    r.body.includes('"hub.method_failed"')
  );
  assert.ok(record, "the log line is exported");
  assert.equal(record.traceId, crash.traceId);
  assert.equal(record.spanId, crash.spanId);
  // The connection opens inside Deno's span of the upgrade request.
  const open = JSON.parse(log.find((l) => l.includes('"connection.open"'))!);
  const upgrade = spans.find((s) => s.spanId === open.span_id);
  assert.equal(upgrade?.kind, SERVER);
  assert.equal(upgrade?.attributes["http.request.method"], "GET");
});

/** `transport → value` of the latest active-connections export. */
function active(receiver: OtlpReceiver): Record<string, number> {
  const out: Record<string, number> = {};
  const latest = receiver.latest("signalr.server.active_connections", [
    "signalr.transport",
  ]);
  for (const [transport, point] of latest) out[transport] = point.value!;
  return out;
}

/** `transport/status → count` of the latest connection-duration export. */
function closes(receiver: OtlpReceiver): Record<string, number> {
  const out: Record<string, number> = {};
  const latest = receiver.latest("signalr.server.connection.duration", [
    "signalr.transport",
    "signalr.connection.status",
  ]);
  for (const [key, point] of latest) out[key] = point.count!;
  return out;
}

Deno.test("telemetry: active connections and connection duration by transport and close status", async () => {
  const { WebSockets, ServerSentEvents, LongPolling } =
    signalR.HttpTransportType;
  // The server pings often, so official clients answer often; the raw
  // client below never does, so the hub times it out.
  const receiver = await withNode(
    { CLIENT_TIMEOUT_MS: "1000", KEEP_ALIVE_MS: "100" },
    async (node, receiver) => {
      const open = (transport: signalR.HttpTransportType) =>
        connect(node.url, "/cluster", { transport, keepAliveMs: 100 });
      const clients = await Promise.all(
        [WebSockets, WebSockets, ServerSentEvents, LongPolling].map(open),
      );
      // Calls over SSE and long polling are spans with their transport.
      assert.equal(await clients[2].invoke("Echo", "over sse"), "over sse");
      assert.equal(await clients[3].invoke("Echo", "over lp"), "over lp");
      const want = { web_sockets: 2, server_sent_events: 1, long_polling: 1 };
      await waitUntil(
        () => isDeepStrictEqual(active(receiver), want),
        `active connections ${JSON.stringify(want)}`,
      );

      await clients[1].stop(); // a normal close
      const silent = await RawClient.connected(`${node.url}/cluster`);
      await silent.closed; // by the server, after CLIENT_TIMEOUT_MS
      await waitUntil(
        () =>
          closes(receiver)["web_sockets/normal_closure"] === 1 &&
          closes(receiver)["web_sockets/timeout"] === 1 &&
          active(receiver).web_sockets === 1,
        "a normal close and a timeout",
      );
      // The rest are still open when the process shuts down.
    },
  );
  assert.deepEqual(active(receiver), {
    web_sockets: 0,
    server_sent_events: 0,
    long_polling: 0,
  });
  assert.deepEqual(closes(receiver), {
    "web_sockets/normal_closure": 1,
    "web_sockets/timeout": 1,
    "web_sockets/app_shutdown": 1,
    "server_sent_events/app_shutdown": 1,
    "long_polling/app_shutdown": 1,
  });
  const transports = receiver.spans()
    .filter((s) => s.name === `${HUB}/Echo`)
    .map((s) => s.attributes["signalr.transport"])
    .sort();
  assert.deepEqual(transports, ["long_polling", "server_sent_events"]);
  const durations = receiver.points("signalr.server.connection.duration");
  assert.ok(durations.every((p) => p.sum! > 0 && p.sum! < 60), "seconds");
  const opened = receiver.latest("switchboard.connections.opened", [
    "switchboard.hub",
  ]);
  assert.equal(opened.get(HUB)?.value, 5);
  const received = receiver.latest("switchboard.messages.received", [
    "switchboard.hub",
  ]);
  assert.ok(received.get(HUB)!.value! > 0);
});
