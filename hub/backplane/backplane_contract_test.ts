/**
 * The one contract every backplane passes, run against the in-memory bus
 * and a real `redis-server`. "Not delivered" is proven without sleeping: a
 * barrier message published afterwards by the same sender arrives in order
 * behind anything that was going to arrive.
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
import { silentLogger } from "../logger.ts";
import { Recorder, toAll } from "../../tests/helpers/backplane_recorder.ts";
import {
  RedisServer,
  skipRedis,
  testSocketTimeoutMs,
} from "../../tests/helpers/redis_server.ts";

interface Member {
  readonly bp: Backplane;
  readonly node: Recorder;
}

interface Cluster {
  join(name: string): Promise<Member>;
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
        async close() {
          await memberCloser(members)();
          await server.stop();
        },
      };
    },
  },
];

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
async function barrier(from: Member, to: Member[]): Promise<void> {
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
    await barrier(b, [a]);
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
    await barrier(a, [b, d]);
    assert.deepEqual(
      b.node.received.map((r) =>
        r.message.kind === "invoke" && r.message.method
      )
        .filter((m) => m !== false && !m.startsWith("barrier")),
      ["u", "g", "c"],
    );
    assert.equal(d.node.received.length, 1, "d only saw the barrier");
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
    await barrier(a, [b]);
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
  await barrier(a, [b]);
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
    await barrier(b, [d]);
    assert.equal(d.node.received.length, 1, "d only saw the barrier");
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
    await barrier(b, [a]);
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
      const seen = await a.node.next((r) =>
        r.message.kind === "result-answer" &&
        r.message.requestId === answer.requestId
      );
      assert.deepEqual(seen, { message: answer, from: b.node.id });
    }
    await barrier(b, [d]);
    assert.equal(d.node.received.length, 1, "d only saw the barrier");
  },
);

contract("status is healthy, named, and counts nothing dropped", async (c) => {
  const a = await c.join("a");
  const status = a.bp.status();
  assert.equal(status.healthy, true);
  assert.equal(status.dropped, 0);
  assert.match(status.name, /^(memory|redis)$/);
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
    await barrier(a, [d]);
    assert.equal(b.node.count("after-close"), 0);
    await b.bp.publish(toAll("from-closed")); // resolves, never rejects
    await barrier(a, [d]);
    assert.equal(d.node.count("from-closed"), 0);
  },
);
