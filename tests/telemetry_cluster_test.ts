/**
 * A trace that crosses processes: the chart app in two processes sharing a
 * real redis-server, both exporting OTLP to one receiver. A
 * `BroadcastToGroup` on node A and its delivery on node B are one trace.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { OtlpReceiver } from "./helpers/otlp_receiver.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import { connect, nextEvent } from "./helpers/signalr_client.ts";

const CONSUMER = 5;

Deno.test({
  name:
    "telemetry: a group send on one node and its delivery on another are one trace",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const receiver = OtlpReceiver.start();
    const prefix = `switchboard:test-${crypto.randomUUID()}`;
    const node = (name: string) =>
      AppProcess.start(
        "main.ts",
        receiver.env({
          REDIS_URL: redis.url,
          REDIS_PREFIX: prefix,
          KV_PATH: ":memory:",
          OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${name}`,
        }),
      );
    const procs: AppProcess[] = [];
    try {
      procs.push(await node("node-a"), await node("node-b"));
      const sender = await connect(procs[0].url, "/chart");
      const member = await connect(procs[1].url, "/chart");
      try {
        await member.invoke("AddToGroup", "g");
        const received = nextEvent<string>(member, "broadcasttogroup");
        await sender.invoke("BroadcastToGroup", "g");
        assert.match(await received, /has joined the group g/);
      } finally {
        await Promise.all([sender.stop(), member.stop()]);
      }
    } finally {
      // The spans were exported on Deno's 100 ms schedule long before;
      // its flush at exit may hang (denoland/deno#33157): a short grace.
      await Promise.all(procs.map((p) => p.stop("SIGTERM", 3_000)));
      await receiver.close();
      await redis.stop();
    }

    const send = receiver.span("ChartHub/BroadcastToGroup");
    assert.equal(send.resource["service.instance.id"], "node-a");
    const deliveries = receiver.spans().filter((s) =>
      s.name === "ChartHub/deliver"
    );
    assert.equal(deliveries.length, 1, "one delivery, on node B");
    const [deliver] = deliveries;
    assert.equal(deliver.resource["service.instance.id"], "node-b");
    assert.equal(deliver.traceId, send.traceId, "one trace");
    assert.equal(deliver.parentSpanId, send.spanId);
    assert.equal(deliver.kind, CONSUMER);
    assert.deepEqual(deliver.attributes, {
      "rpc.system": "signalr",
      "rpc.service": "ChartHub",
      "signalr.client_method": "broadcasttogroup",
      "signalr.delivered": 1,
    });
  },
});
