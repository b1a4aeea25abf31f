/**
 * OpenTelemetry end to end: a hub process run with `OTEL_DENO=true`
 * exporting OTLP http/json to a receiver here. Spans (names, attributes,
 * parent/child, error status), log correlation, and the two SignalR
 * metrics by transport and close status.
 */

import assert from "node:assert/strict";
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

async function withNode(
  env: Record<string, string>,
  body: (node: AppProcess, receiver: OtlpReceiver) => Promise<void>,
): Promise<OtlpReceiver> {
  const receiver = OtlpReceiver.start();
  const node = await AppProcess.start(NODE, receiver.env(env));
  try {
    await body(node, receiver);
  } finally {
    // SIGTERM: the hub shuts down and Deno flushes what it holds at exit.
    await node.stop();
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
  const receiver = await withNode({}, async (node, receiver) => {
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
  });
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
