/**
 * Presence across two chart app processes (`main.ts`) sharing a real
 * redis-server: `GetGroupMembers` counts both processes' members, a change
 * on one reaches the other's members as `grouppresence`, and a process
 * killed with SIGKILL (no goodbye) drops out of every count within
 * 2 × TTL. A short TTL keeps the test quick.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import { collect, connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { mintToken } from "./helpers/users_fixture.ts";
import type { GroupMembers } from "../chart/chart_contract.ts";

const JWT_SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
const TTL_MS = 2_000;

async function member(
  proc: AppProcess,
  user: string | null,
): Promise<signalR.HubConnection> {
  const token = user
    ? await mintToken(user, { secret: JWT_SECRET })
    : undefined;
  const conn = await connect(proc.url, "/chart", {
    accessTokenFactory: token ? () => token : undefined,
  });
  await conn.invoke("AddToGroup", "room");
  return conn;
}

function same(a: GroupMembers | undefined, b: GroupMembers): boolean {
  return a?.connections === b.connections && a.users.join() === b.users.join();
}

Deno.test({
  name:
    "redis presence: two processes share group members; a SIGKILLed one drops out within 2 × TTL",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `switchboard:test-${crypto.randomUUID()}`,
      KV_PATH: ":memory:",
      JWT_SECRET,
      PRESENCE_TTL_MS: String(TTL_MS),
    };
    const procs: AppProcess[] = [];
    const conns: signalR.HubConnection[] = [];
    try {
      const [p1, p2] = await Promise.all(
        [1, 2].map(() => AppProcess.start("main.ts", env)),
      );
      procs.push(p1, p2);
      const alice = await member(p1, "alice");
      conns.push(alice);
      const pushed = collect<string>(alice, "grouppresence");
      const updates: GroupMembers[] = [];
      alice.on("grouppresence", (_group: string, m: GroupMembers) => {
        updates.push(m);
      });
      conns.push(await member(p2, "bob"), await member(p2, null));

      const all = { connections: 3, users: ["alice", "bob"] };
      const asked = async () =>
        same(await alice.invoke<GroupMembers>("GetGroupMembers", "room"), all);
      await waitUntil(asked, "p1 to count p2's members");
      // p2's joins reached alice, on p1, as a pushed update.
      await waitUntil(() => same(updates.at(-1), all), "a pushed update");
      assert.deepEqual(new Set(pushed), new Set(["room"]));

      await p2.stop("SIGKILL");
      const killed = Date.now();
      const alone = { connections: 1, users: ["alice"] };
      await waitUntil(
        async () => same(await alice.invoke("GetGroupMembers", "room"), alone),
        "p2's members to drop out",
      );
      const took = Date.now() - killed;
      assert.ok(took <= 2 * TTL_MS, `p2 dropped out after ${took} ms`);
      await waitUntil(() => same(updates.at(-1), alone), "the pushed drop");
    } finally {
      await Promise.all(conns.map((c) => c.stop()));
      await Promise.all(procs.map((p) => p.stop()));
      await redis.stop();
    }
  },
});
