/**
 * The chart app (`main.ts`) in two processes with `REDIS_URL` and a real
 * redis-server: the article's methods work across processes, the chart
 * feed stays one message per interval per client, and a Redis outage
 * leaves each process serving its own clients, shows in /healthz and
 * /metrics, and heals when Redis is back.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import { connect, nextEvent, signalR } from "./helpers/signalr_client.ts";
import { Inbox } from "./helpers/inbox.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { mintToken } from "./helpers/users_fixture.ts";

const JWT_SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
const PASSWORD = "hunter2-redis";

interface Client {
  readonly conn: signalR.HubConnection;
  readonly id: string;
  /** `broadcasttoclient` texts. */
  readonly direct: Inbox;
}

async function client(proc: AppProcess, token?: string): Promise<Client> {
  const conn = await connect(proc.url, "/chart", {
    accessTokenFactory: token ? () => token : undefined,
  });
  const direct = new Inbox(conn, "broadcasttoclient");
  const id = await conn.invoke<string>("GetConnectionId");
  return { conn, id, direct };
}

async function cluster(redis: RedisServer): Promise<AppProcess[]> {
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: `switchboard:test-${crypto.randomUUID()}`,
    KV_PATH: ":memory:",
    JWT_SECRET,
    LOG_LEVEL: "info",
  };
  return await Promise.all([1, 2].map(() => AppProcess.start("main.ts", env)));
}

/** Sends `text` to `to` from `from`; resolves when `to` has it. */
async function direct(from: Client, to: Client, text: string): Promise<void> {
  await from.conn.invoke("BroadcastToConnection", text, to.id);
  await to.direct.received(text);
}

async function health(proc: AppProcess) {
  const response = await fetch(`${proc.url}/healthz`);
  return { status: response.status, body: await response.json() };
}

async function metrics(proc: AppProcess): Promise<string> {
  return await (await fetch(`${proc.url}/metrics`)).text();
}

/**
 * Runs `body` on two app processes sharing a fresh Redis (with `password`
 * if given), then stops the clients `body` pushed, the processes and Redis.
 */
async function withCluster(
  password: string | undefined,
  body: (
    procs: AppProcess[],
    clients: Client[],
    redis: RedisServer,
  ) => Promise<void>,
): Promise<void> {
  const redis = await RedisServer.start({ password });
  const procs: AppProcess[] = [];
  const clients: Client[] = [];
  try {
    procs.push(...await cluster(redis));
    await body(procs, clients, redis);
  } finally {
    await Promise.all(clients.map((c) => c.conn.stop()));
    await Promise.all(procs.map((p) => p.stop()));
    await redis.stop();
  }
}

Deno.test({
  name: "redis chart cluster: connection, user and group across processes",
  ignore: skipRedis,
  async fn() {
    await withCluster(PASSWORD, async ([p1, p2], clients) => {
      const token = await mintToken("alice", { secret: JWT_SECRET });
      const alice1 = await client(p1, token);
      const alice2 = await client(p2, token);
      const x2 = await client(p2);
      const y1 = await client(p1);
      clients.push(alice1, alice2, x2, y1);

      await direct(y1, x2, "to x across processes");
      const chart = nextEvent(x2.conn, "broadcastchartdata");
      const series = [{ data: [1, 2, 3], label: "Data1" }];
      await y1.conn.invoke("BroadcastChartData", series, x2.id);
      assert.deepEqual(await chart, series);

      const users = new Map(
        [alice1, alice2, x2].map((
          c,
        ) => [c, new Inbox(c.conn, "broadcasttouser")]),
      );
      await alice1.conn.invoke("BroadcastToUser", "hi alice", "alice");
      await users.get(alice1)!.received("hi alice");
      await users.get(alice2)!.received("hi alice");
      // Same sender, same path: the barrier arrives behind any duplicate.
      await direct(alice1, alice2, "barrier-user");
      await direct(alice1, x2, "barrier-user-x");
      assert.equal(users.get(alice2)!.count("hi alice"), 1);
      assert.equal(users.get(x2)!.count("hi alice"), 0);

      const groups = new Map(
        [x2, y1, alice2].map((c) => [c, new Inbox(c.conn, "broadcasttogroup")]),
      );
      await x2.conn.invoke("AddToGroup", "g");
      await y1.conn.invoke("AddToGroup", "g");
      await alice1.conn.invoke("BroadcastToGroup", "g");
      const text = `${alice1.id} has joined the group g.`;
      await groups.get(x2)!.received(text);
      await groups.get(y1)!.received(text);
      await direct(alice1, alice2, "barrier-group");
      await direct(alice1, x2, "barrier-group-x");
      assert.equal(groups.get(x2)!.count(text), 1);
      assert.equal(groups.get(alice2)!.count(text), 0);
    });
  },
});

Deno.test({
  name: "redis chart cluster: the chart feed is one message per interval",
  ignore: skipRedis,
  async fn() {
    await withCluster(undefined, async (procs, clients) => {
      clients.push(await client(procs[0]), await client(procs[1]));
      const counts = clients.map(() => 0);
      clients.forEach((c, i) =>
        c.conn.on("transferchartdata", () => counts[i]++)
      );
      const started = Date.now();
      // Wait for a few ticks on both; duplicates from the other process's
      // timer would double the count.
      await waitUntil(() => counts.every((n) => n >= 3), "three ticks each");
      const intervals = Math.ceil((Date.now() - started) / 1000);
      for (const n of counts) assert.ok(n <= intervals + 1, `${n} messages`);
    });
  },
});

Deno.test({
  name: "redis chart cluster: Redis killed and restarted mid-test",
  ignore: skipRedis,
  async fn() {
    await withCluster(PASSWORD, async (procs, clients, redis) => {
      const [p1, p2] = procs;
      const a1 = await client(p1);
      const b1 = await client(p1);
      const c2 = await client(p2);
      clients.push(a1, b1, c2);
      const groupInbox = new Inbox(c2.conn, "broadcasttogroup");
      await c2.conn.invoke("AddToGroup", "g");
      await direct(a1, c2, "before");

      await redis.kill();
      await waitUntil(
        async () => !(await health(p1)).body.backplane.healthy,
        "p1 reports the backplane down",
      );
      const down = await health(p1);
      assert.equal(down.status, 200, "still live");
      assert.match(down.body.backplane.detail, /down since/);
      assert.ok(!JSON.stringify(down.body).includes(PASSWORD));

      await direct(a1, b1, "local while down");
      await nextEvent(c2.conn, "transferchartdata", 5_000); // feed goes on
      await a1.conn.invoke("BroadcastToConnection", "lost", c2.id);
      const text = await metrics(p1);
      assert.match(text, /^switchboard_backplane_up 0$/m);
      const dropped = /^switchboard_backplane_dropped_total (\d+)$/m.exec(text);
      assert.ok(dropped && Number(dropped[1]) >= 1, "dropped is counted");

      await redis.restart();
      for (const p of procs) {
        await waitUntil(
          async () => (await health(p)).body.backplane.healthy,
          "the backplane is back",
        );
      }
      await direct(a1, c2, "after");
      await a1.conn.invoke("BroadcastToGroup", "g");
      await groupInbox.received(`${a1.id} has joined the group g.`);
      assert.equal(c2.direct.count("lost"), 0);
      for (const p of procs) {
        assert.ok(p.log.some((l) => l.includes("backplane.redis.down")));
        assert.ok(!p.log.some((l) => l.includes(PASSWORD)), "no password");
      }
    });
  },
});
