/**
 * Three hub processes and a real redis-server act as one hub: every
 * Clients target reaches exactly the connections it names, wherever they
 * are, exactly once. "Not received" is proven by a barrier: the sender
 * broadcasts a marker afterwards, which arrives behind anything earlier.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { Inbox } from "./helpers/inbox.ts";

const NODE = "tests/helpers/cluster_node.ts";

interface Peer {
  readonly name: string;
  readonly conn: signalR.HubConnection;
  readonly id: string;
  readonly inbox: Inbox;
}

async function peer(
  proc: AppProcess,
  name: string,
  user?: string,
): Promise<Peer> {
  const path = user ? `/cluster?user=${user}` : "/cluster";
  const conn = await connect(proc.url, path);
  const inbox = new Inbox(conn, "m");
  const id = await conn.invoke<string>("Whoami");
  return { name, conn, id, inbox };
}

let steps = 0;

/**
 * Has `sender` invoke `method(...args, text)`, then broadcast a barrier,
 * and checks that exactly `expected` got `text`, each once.
 */
async function step(
  peers: Peer[],
  sender: Peer,
  expected: Peer[],
  method: string,
  ...args: unknown[]
): Promise<void> {
  const text = `step-${++steps}-${method}`;
  await sender.conn.invoke(method, ...args, text);
  const barrier = `barrier-${steps}`;
  await sender.conn.invoke("SendAll", barrier);
  await Promise.all(peers.map((p) => p.inbox.received(barrier)));
  const got = peers.filter((p) => p.inbox.count(text) > 0).map((p) => p.name);
  assert.deepEqual(got.sort(), expected.map((p) => p.name).sort(), text);
  for (const p of expected) assert.equal(p.inbox.count(text), 1, p.name);
}

Deno.test({
  name: "redis cluster: every Clients target across three processes",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const procs: AppProcess[] = [];
    const peers: Peer[] = [];
    try {
      const env = {
        REDIS_URL: redis.url,
        HUB_PREFIX: `switchboard:test-${crypto.randomUUID()}`,
      };
      procs.push(
        ...await Promise.all([1, 2, 3].map(() => AppProcess.start(NODE, env))),
      );
      const [p1, p2, p3] = procs;
      const a1 = await peer(p1, "a1", "alice");
      const a2 = await peer(p2, "a2", "alice");
      const b2 = await peer(p2, "b2", "bob");
      const c3 = await peer(p3, "c3");
      const d1 = await peer(p1, "d1");
      peers.push(a1, a2, b2, c3, d1);
      const all = [...peers];

      await step(all, c3, all, "SendAll");
      await step(all, c3, [a1, a2, b2, d1], "SendOthers");
      await step(all, b2, [a1, b2, c3], "SendAllExcept", [a2.id, d1.id]);
      await step(all, c3, [a2], "SendClient", a2.id);
      await step(all, b2, [a1, c3], "SendClients", [a1.id, c3.id]);
      await step(all, c3, [a1, a2], "SendUser", "alice");
      await step(all, d1, [a1, a2, b2], "SendUsers", ["alice", "bob"]);

      await a1.conn.invoke("Join", "g");
      await b2.conn.invoke("Join", "g");
      await c3.conn.invoke("AddOther", d1.id, "g"); // held by another process
      await step(all, c3, [a1, b2, d1], "SendGroup", "g");
      await step(all, a2, [a1, d1], "SendGroupExcept", "g", [b2.id]);
      await step(all, a1, [b2, d1], "SendOthersInGroup", "g");

      await a2.conn.invoke("Join", "h");
      await b2.conn.invoke("Join", "h"); // in g and h: gets a g+h send once
      await step(all, c3, [a1, a2, b2, d1], "SendGroups", ["g", "h"]);

      // Nobody holds this id, so no ack comes: the call gives up quietly
      // after the ack timeout, as ASP.NET does.
      await c3.conn.invoke("AddOther", "no-such-connection", "g");

      await b2.conn.invoke("RemoveOther", d1.id, "g"); // held elsewhere
      await a1.conn.invoke("Leave", "g");
      await step(all, c3, [b2], "SendGroup", "g");
    } finally {
      await Promise.all(peers.map((p) => p.conn.stop()));
      await Promise.all(procs.map((p) => p.stop()));
      await redis.stop();
    }
  },
});
