/**
 * What only the Redis backplane has: outages (Redis killed and restarted),
 * starting while Redis is down, channel reconciliation, passwords kept out
 * of health detail, foreign or malformed messages, the in-flight bound.
 */

import assert from "node:assert/strict";
import { createClient } from "@redis/client";
import {
  RedisBackplane,
  type RedisBackplaneOptions,
} from "../hub/backplane/redis.ts";
import { silentLogger } from "../hub/logger.ts";
import { Recorder, toAll } from "./helpers/backplane_recorder.ts";
import {
  RedisServer,
  skipRedis,
  testSocketTimeoutMs,
} from "./helpers/redis_server.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** A started backplane with fast reconnects, `options` on top. */
async function started(
  url: string,
  prefix: string,
  name: string,
  options: Partial<RedisBackplaneOptions> = {},
) {
  const bp = new RedisBackplane({
    url,
    prefix,
    logger: silentLogger,
    socketTimeoutMs: testSocketTimeoutMs,
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
    startTimeoutMs: 2_000,
    ...options,
  });
  const node = new Recorder(name);
  await bp.start(node);
  return { bp, node };
}

function uniquePrefix(): string {
  return `switchboard:test-${crypto.randomUUID()}`;
}

/** Subscribers Redis counts on `channel`, asked with a fresh client. */
async function numsub(url: string, channel: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    const reply = await client.pubSubNumSub(channel);
    return Number(reply[channel] ?? 0);
  } finally {
    await client.close();
  }
}

Deno.test({
  name: "redis backplane: outage drops and counts, reconnects, resubscribes",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const prefix = uniquePrefix();
    const a = await started(redis.url, prefix, "a");
    const b = await started(redis.url, prefix, "b");
    try {
      await b.bp.subscribe("group:before");
      await b.bp.subscribe("group:dropped-while-down");
      await redis.kill();
      await waitUntil(() => !a.bp.status().healthy, "a sees Redis down");
      await waitUntil(() => !b.bp.status().healthy, "b sees Redis down");
      assert.match(a.bp.status().detail, /down since .*serving local/);

      await a.bp.publish(toAll("lost")); // resolves, never rejects
      assert.equal(a.bp.status().dropped, 1);
      await b.bp.subscribe("group:during"); // resolves at once while down
      b.bp.unsubscribe("group:dropped-while-down");

      await redis.restart();
      await waitUntil(() => a.bp.status().healthy, "a reconnects");
      await waitUntil(() => b.bp.status().healthy, "b reconnects");
      assert.match(a.bp.status().detail, /^connected to /);

      for (const group of ["before", "during"]) {
        await a.bp.publish({
          kind: "invoke",
          target: { kind: "groups", names: [group] },
          method: group,
          args: [],
        });
        await b.node.invoked(group);
      }
      assert.equal(b.node.count("lost"), 0);
      const stale = `${prefix}:group:dropped-while-down`;
      assert.equal(await numsub(redis.url, stale), 0, "reconciled away");
      assert.equal(await numsub(redis.url, `${prefix}:group:during`), 1);
    } finally {
      await a.bp.close();
      await b.bp.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "redis backplane: a hung Redis is noticed by missed pings",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const prefix = uniquePrefix();
    const { bp, node } = await started(redis.url, prefix, "a", {
      pingIntervalMs: 50,
      socketTimeoutMs: 300,
    });
    const peer = await started(redis.url, prefix, "b");
    try {
      redis.pause(); // no RST, no FIN: only silence
      await waitUntil(() => !bp.status().healthy, "a hung Redis is noticed");
      assert.match(bp.status().detail, /timeout/i);
      redis.resume();
      await waitUntil(() => bp.status().healthy, "reconnected");
      await waitUntil(() => peer.bp.status().healthy, "peer reconnected");
      await peer.bp.publish(toAll("after-hang"));
      await node.invoked("after-hang");
    } finally {
      redis.resume();
      await bp.close();
      await peer.bp.close();
      await redis.stop();
      // Deno 2.5's node:net re-arms a socket's idle timer on a read that
      // lands after destroy; let that timer run out inside this test.
      await new Promise((resolve) => setTimeout(resolve, 2 * 300));
    }
  },
});

Deno.test({
  name: "redis backplane: starts while Redis is down and joins when it is up",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    await redis.stop();
    const prefix = uniquePrefix();
    const a = await started(redis.url, prefix, "a"); // must not hang or throw
    try {
      assert.equal(a.bp.status().healthy, false);
      await a.bp.publish(toAll("early"));
      assert.equal(a.bp.status().dropped, 1);
      await redis.restart();
      await waitUntil(() => a.bp.status().healthy, "a connects late");
      const b = await started(redis.url, prefix, "b");
      try {
        await b.bp.publish(toAll("late"));
        await a.node.invoked("late");
      } finally {
        await b.bp.close();
      }
    } finally {
      await a.bp.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "redis backplane: a password never shows in status detail",
  ignore: skipRedis,
  async fn() {
    const password = "s3cret-Pa55";
    const redis = await RedisServer.start({ password });
    const prefix = uniquePrefix();
    const good = await started(redis.url, prefix, "good");
    const wrongUrl = redis.url.replace("s3cret", "wrong");
    const bad = await started(wrongUrl, prefix, "bad");
    try {
      assert.ok(redis.url.includes(password));
      assert.equal(good.bp.status().healthy, true);
      assert.equal(bad.bp.status().healthy, false);
      for (const { bp } of [good, bad]) {
        const detail = bp.status().detail;
        assert.ok(!detail.includes("s3cret"), detail);
        assert.ok(!detail.includes("wrong-Pa55"), detail);
        assert.ok(!detail.includes("Pa55"), detail);
      }
      assert.match(bad.bp.status().detail, /WRONGPASS|NOAUTH|auth/i);
    } finally {
      await good.bp.close();
      await bad.bp.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "redis backplane: foreign and malformed messages are ignored",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const prefix = uniquePrefix();
    const a = await started(redis.url, prefix, "a");
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const channel = `${prefix}:all`;
      await raw.publish(channel, "not json");
      await raw.publish(channel, JSON.stringify({ from: "x" }));
      await raw.publish(
        channel,
        JSON.stringify({ from: "x", message: { kind: "nope" } }),
      );
      await raw.publish(
        channel,
        JSON.stringify({ from: "x", message: toAll("ok") }),
      );
      const got = await a.node.invoked("ok");
      assert.equal(got.from, "x");
      assert.equal(a.node.received.length, 1);
    } finally {
      await raw.close();
      await a.bp.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "redis backplane: publishes beyond maxInFlight are dropped and counted",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const prefix = uniquePrefix();
    const { bp } = await started(redis.url, prefix, "a", { maxInFlight: 1 });
    try {
      // All three start in the same tick: one is in flight, two overflow.
      await Promise.all([1, 2, 3].map((n) => bp.publish(toAll(`m${n}`))));
      assert.equal(bp.status().dropped, 2);
      await bp.publish(toAll("after"));
      assert.equal(bp.status().dropped, 2);
    } finally {
      await bp.close();
      await redis.stop();
    }
  },
});
