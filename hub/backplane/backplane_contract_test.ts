/**
 * The one contract every backplane passes, run against the in-memory bus,
 * a real `redis-server` and a real 3-master Redis Cluster. "Not delivered"
 * is proven without sleeping: a barrier published afterwards by the same
 * sender arrives in order behind anything that was going to arrive. On
 * the cluster order holds per sender per shard, so its barrier is one
 * message on each shard.
 */

import assert from "node:assert/strict";
import type {
  AckMessage,
  Backplane,
  GroupMessage,
  InvokeMessage,
  PresenceMessage,
  ResultAnswerMessage,
  ResultRequestMessage,
} from "./backplane.ts";
import { MemoryBus } from "./memory.ts";
import { RedisBackplane } from "./redis.ts";
import { RedisClusterBackplane } from "./redis_cluster.ts";
import { silentLogger } from "../logger.ts";
import { Recorder, toAll } from "../../tests/helpers/backplane_recorder.ts";
import {
  RedisServer,
  skipRedis,
  testSocketTimeoutMs,
} from "../../tests/helpers/redis_server.ts";
import {
  namesPerShard,
  RedisCluster,
  skipRedisCluster,
} from "../../tests/helpers/redis_cluster.ts";

interface Member {
  readonly bp: Backplane;
  readonly node: Recorder;
}

interface Cluster {
  join(name: string): Promise<Member>;
  /** Resolves once everything `from` published before reached `to`. */
  barrier(from: Member, to: Member[]): Promise<void>;
  close(): Promise<void>;
}

interface ClusterKind {
  readonly name: string;
  readonly skip: boolean;
  create(): Promise<Cluster>;
}

function memberCloser(members: Member[]) {
  return () => Promise.all(members.map((m) => m.bp.close()));
}

const kinds: ClusterKind[] = [
  {
    name: "memory",
    skip: false,
    create() {
      const bus = new MemoryBus();
      const members: Member[] = [];
      return Promise.resolve({
        async join(name) {
          const member = { bp: bus.connect(), node: new Recorder(name) };
          await member.bp.start(member.node);
          members.push(member);
          return member;
        },
        barrier: allBarrier,
        close: async () => void await memberCloser(members)(),
      });
    },
  },
  {
    name: "redis",
    skip: skipRedis,
    async create() {
      const server = await RedisServer.start();
      const prefix = `switchboard:test-${crypto.randomUUID()}`;
      const members: Member[] = [];
      return {
        async join(name) {
          const bp = new RedisBackplane({
            url: server.url,
            prefix,
            logger: silentLogger,
            socketTimeoutMs: testSocketTimeoutMs,
          });
          const member = { bp, node: new Recorder(name) };
          await bp.start(member.node);
          members.push(member);
          return member;
        },
        barrier: allBarrier,
        async close() {
          await memberCloser(members)();
          await server.stop();
        },
      };
    },
  },
  {
    name: "redis-cluster",
    skip: skipRedisCluster,
    async create() {
      const server = await RedisCluster.start({ masters: 3 });
      const prefix = `switchboard:test-${crypto.randomUUID()}`;
      const masters = await server.masters();
      // One connection scope per shard: a fence message on each.
      const fences = namesPerShard(
        masters.flatMap((m) => m.role.slots),
        (name) => `${prefix}:connection:${name}`,
      ).map((name) => `connection:${name}` as const);
      const members: Member[] = [];
      return {
        async join(name) {
          const bp = new RedisClusterBackplane({
            urls: server.urls,
            prefix,
            logger: silentLogger,
            socketTimeoutMs: testSocketTimeoutMs,
          });
          const member = { bp, node: new Recorder(name) };
          await bp.start(member.node);
          await Promise.all(fences.map((scope) => bp.subscribe(scope)));
          members.push(member);
          return member;
        },
        async barrier(from, to) {
          const method = `barrier-${++barriers}`;
          await Promise.all(fences.map((scope) =>
            from.bp.publish(
              invoke({ kind: "connections", ids: [scope.slice(11)] }, method),
            )
          ));
          await Promise.all(
            to.map((m) => waitCount(m.node, method, fences.length)),
          );
        },
        async close() {
          await memberCloser(members)();
          await server.stop();
        },
      };
    },
  },
];

/** Resolves once `node` received `count` invokes of `method`. */
async function waitCount(node: Recorder, method: string, count: number) {
  while (node.count(method) < count) {
    await node.next((r) =>
      r.message.kind === "invoke" && r.message.method === method &&
      node.count(method) >= count
    );
  }
}

/** What `node` received apart from barriers. */
function seen(node: Recorder) {
  return node.received.filter((r) =>
    !(r.message.kind === "invoke" && r.message.method.startsWith("barrier-"))
  );
}

function contract(
  title: string,
  fn: (cluster: Cluster) => Promise<void>,
): void {
  for (const kind of kinds) {
    Deno.test({
      name: `backplane contract (${kind.name}): ${title}`,
      ignore: kind.skip,
      async fn() {
        const cluster = await kind.create();
        try {
          await fn(cluster);
        } finally {
          await cluster.close();
        }
      },
    });
  }
}

let barriers = 0;

/** Publishes a marker to all and waits until every `to` has it. */
async function allBarrier(from: Member, to: Member[]): Promise<void> {
  const method = `barrier-${++barriers}`;
  await from.bp.publish(toAll(method));
  await Promise.all(to.map((m) => m.node.invoked(method)));
}

function invoke(target: InvokeMessage["target"], method: string) {
  return { kind: "invoke", target, method, args: [method] } as const;
}

contract(
  "a message to all reaches every other node, not the sender",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    await a.bp.publish(toAll("hello", 1, "two"));
    const got = await b.node.invoked("hello");
    assert.equal(got.from, a.node.id);
    assert.deepEqual(got.message, toAll("hello", 1, "two"));
    await d.node.invoked("hello");
    // b publishes after it saw a's message, so a's echo would be ahead of it.
    await c.barrier(b, [a]);
    assert.equal(a.node.count("hello"), 0);
  },
);

contract(
  "user, group and connection messages reach only subscribers",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    await b.bp.subscribe("user:alice");
    await b.bp.subscribe("group:room:1");
    await b.bp.subscribe("connection:c1");
    await a.bp.publish(invoke({ kind: "users", ids: ["alice"] }, "u"));
    await a.bp.publish(invoke({ kind: "groups", names: ["room:1"] }, "g"));
    await a.bp.publish(invoke({ kind: "connections", ids: ["c1"] }, "c"));
    await a.bp.publish(invoke({ kind: "users", ids: ["bob"] }, "other"));
    await c.barrier(a, [b, d]);
    // Sorted: on a cluster the three scopes' channels are on other shards.
    assert.deepEqual(
      seen(b.node).map((r) => r.message.kind === "invoke" && r.message.method)
        .sort(),
      ["c", "g", "u"],
    );
    assert.equal(seen(d.node).length, 0, "d only saw the barrier");
  },
);

contract(
  "group except is delivered to the group with its except list",
  async (c) => {
    const [a, b] = await Promise.all(["a", "b"].map((n) => c.join(n)));
    await b.bp.subscribe("group:g");
    const target = { kind: "groups", names: ["g"], except: ["x1"] } as const;
    await a.bp.publish(invoke(target, "ge"));
    const got = await b.node.invoked("ge");
    assert.deepEqual(
      got.message.kind === "invoke" && got.message.target,
      target,
    );
  },
);

contract(
  "unsubscribe stops delivery; subscribe again resumes it",
  async (c) => {
    const [a, b] = await Promise.all(["a", "b"].map((n) => c.join(n)));
    await b.bp.subscribe("group:g");
    await a.bp.publish(invoke({ kind: "groups", names: ["g"] }, "first"));
    await b.node.invoked("first");
    b.bp.unsubscribe("group:g");
    await a.bp.publish(invoke({ kind: "groups", names: ["g"] }, "second"));
    await c.barrier(a, [b]);
    assert.equal(b.node.count("second"), 0);
    await b.bp.subscribe("group:g");
    await a.bp.publish(invoke({ kind: "groups", names: ["g"] }, "third"));
    await b.node.invoked("third");
  },
);

contract("a message naming several scopes arrives once per node", async (c) => {
  const [a, b] = await Promise.all(["a", "b"].map((n) => c.join(n)));
  await b.bp.subscribe("group:g1");
  await b.bp.subscribe("group:g2");
  await b.bp.subscribe("user:u1");
  await b.bp.subscribe("user:u2");
  await a.bp.publish(invoke({ kind: "groups", names: ["g1", "g2"] }, "gg"));
  await a.bp.publish(invoke({ kind: "users", ids: ["u1", "u2"] }, "uu"));
  await c.barrier(a, [b]);
  assert.equal(b.node.count("gg"), 1);
  assert.equal(b.node.count("uu"), 1);
});

contract(
  "a group request reaches the holder and its ack only the asker",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    await b.bp.subscribe("connection:c1");
    const request: GroupMessage = {
      kind: "group",
      op: "add",
      connectionId: "c1",
      group: "g",
      requestId: "r1",
    };
    await a.bp.publish(request);
    const got = await b.node.next((r) => r.message.kind === "group");
    assert.deepEqual(got.message, request);
    const ack: AckMessage = { kind: "ack", requestId: "r1", to: got.from };
    await b.bp.publish(ack);
    const acked = await a.node.next((r) => r.message.kind === "ack");
    assert.deepEqual(acked, { message: ack, from: b.node.id });
    await c.barrier(b, [d]);
    assert.equal(seen(d.node).length, 0, "d only saw the barrier");
  },
);

contract(
  "a presence report reaches every other node intact, not the sender",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    const report: PresenceMessage = {
      kind: "presence",
      ttlMs: 10_000,
      node: { connections: 2, users: 1 },
      groups: [{ group: "room:1", connections: 2, users: ["alice"] }],
    };
    await a.bp.publish(report);
    for (const m of [b, d]) {
      const got = await m.node.next((r) => r.message.kind === "presence");
      assert.deepEqual(got, { message: report, from: a.node.id });
    }
    await c.barrier(b, [a]);
    assert.equal(
      a.node.received.filter((r) => r.message.kind === "presence").length,
      0,
    );
  },
);

contract(
  "a client-result request reaches the holder and its answer only the asker",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    await b.bp.subscribe("connection:c1");
    const request: ResultRequestMessage = {
      kind: "result-request",
      requestId: "q1",
      connectionId: "c1",
      method: "answer",
      args: ["ready?", { n: 1 }],
      timeoutMs: 1000,
    };
    await a.bp.publish(request);
    const got = await b.node.next((r) => r.message.kind === "result-request");
    assert.deepEqual(got, { message: request, from: a.node.id });
    const answers: ResultAnswerMessage[] = [
      { kind: "result-answer", requestId: "q1", to: got.from, result: [1] },
      { kind: "result-answer", requestId: "q2", to: got.from, error: "No" },
      {
        kind: "result-answer",
        requestId: "q3",
        to: got.from,
        failure: { reason: "timeout", message: "Too slow" },
      },
    ];
    for (const answer of answers) await b.bp.publish(answer);
    for (const answer of answers) {
      const answered = await a.node.next((r) =>
        r.message.kind === "result-answer" &&
        r.message.requestId === answer.requestId
      );
      assert.deepEqual(answered, { message: answer, from: b.node.id });
    }
    await c.barrier(b, [d]);
    assert.equal(seen(d.node).length, 0, "d only saw the barrier");
  },
);

contract("status is healthy, named, and counts nothing dropped", async (c) => {
  const a = await c.join("a");
  const status = a.bp.status();
  assert.equal(status.healthy, true);
  assert.equal(status.dropped, 0);
  assert.match(status.name, /^(memory|redis|redis-cluster)$/);
  assert.equal(typeof status.detail, "string");
});

contract(
  "a closed backplane neither receives nor fails to publish",
  async (c) => {
    const [a, b, d] = await Promise.all(["a", "b", "d"].map((n) => c.join(n)));
    await b.bp.close();
    await b.bp.close(); // idempotent
    await a.bp.publish(toAll("after-close"));
    await d.node.invoked("after-close");
    await c.barrier(a, [d]);
    assert.equal(b.node.count("after-close"), 0);
    await b.bp.publish(toAll("from-closed")); // resolves, never rejects
    await c.barrier(a, [d]);
    assert.equal(d.node.count("from-closed"), 0);
  },
);

contract("one sender's messages to one scope arrive in order", async (c) => {
  const [a, b] = await Promise.all(["a", "b"].map((n) => c.join(n)));
  await b.bp.subscribe("group:ordered");
  const sent = Array.from({ length: 50 }, (_, i) => `o${i}`);
  for (const method of sent) {
    a.bp.publish(invoke({ kind: "groups", names: ["ordered"] }, method));
    a.bp.publish(toAll(`all-${method}`));
  }
  await b.node.invoked("o49");
  await b.node.invoked("all-o49");
  const methods = seen(b.node).map((r) =>
    r.message.kind === "invoke" ? r.message.method : ""
  );
  assert.deepEqual(methods.filter((m) => /^o\d/.test(m)), sent);
  assert.deepEqual(
    methods.filter((m) => m.startsWith("all-")),
    sent.map((m) => `all-${m}`),
  );
});
