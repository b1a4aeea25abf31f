import assert from "node:assert/strict";
import {
  ConnectionServer,
  defineHub,
  HubServer,
  silentLogger,
} from "../hub/mod.ts";
import { jwtAuthenticator } from "../hub/auth.ts";
import { connectHub, mintToken, TEST_SECRET } from "./helpers/users_fixture.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** A hub capping each user at `max`, served on loopback; `close` in `finally`. */
async function cappedHub(
  max: number,
  options: { negotiateTimeoutMs?: number } = {},
) {
  const hub = new HubServer(defineHub({ methods: {} }), {
    path: "/hub",
    logger: silentLogger,
    maxConnectionsPerUser: max,
    authenticate: jwtAuthenticator({ secret: TEST_SECRET }),
    ...options,
  });
  await hub.start();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => hub.handle(req, info),
  );
  return {
    hub,
    base: `http://127.0.0.1:${server.addr.port}/hub`,
    async close() {
      await hub.shutdown();
      await server.shutdown();
    },
  };
}

Deno.test("a user's connections are capped per node; other users are unaffected", async () => {
  const { base, close } = await cappedHub(2);
  const open = [];
  try {
    const alice = await mintToken("alice");
    const as = { accessTokenFactory: () => alice };
    open.push(await connectHub(base, as), await connectHub(base, as));
    const third = await fetch(`${base}/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
    });
    await third.body?.cancel();
    assert.equal(third.status, 429);
    await assert.rejects(connectHub(base, as), /429/);
    const bob = await mintToken("bob");
    open.push(await connectHub(base, { accessTokenFactory: () => bob }));
    open.push(
      await connectHub(base),
      await connectHub(base),
      await connectHub(base),
    );
  } finally {
    await Promise.all(open.map((c) => c.stop()));
    await close();
  }
});

/** `count` negotiates for `token` at once; the statuses, in order. */
async function negotiateBurst(
  base: string,
  token: string,
  count: number,
): Promise<number[]> {
  return await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${base}/negotiate?negotiateVersion=1`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      await res.body?.cancel();
      return res.status;
    }),
  );
}

Deno.test("a burst of negotiates and sockets in flight cannot pass a user's cap together", async () => {
  // Unused negotiates hold their slots until they expire: longer than any run.
  const { hub, base, close } = await cappedHub(3, {
    negotiateTimeoutMs: 120_000,
  });
  const open = [];
  try {
    const alice = await mintToken("alice");
    const statuses = await negotiateBurst(base, alice, 20);
    assert.equal(statuses.filter((s) => s === 200).length, 3, `${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 17, `${statuses}`);
    // The three negotiated connections hold the slots until they expire or
    // end, so clients opening at once cannot get past the cap either.
    const as = { accessTokenFactory: () => alice };
    const tries = await Promise.allSettled(
      Array.from({ length: 10 }, () => connectHub(base, as)),
    );
    const connected = tries.flatMap((t) =>
      t.status === "fulfilled" ? [t.value] : []
    );
    open.push(...connected);
    assert.equal(connected.length, 0, "every slot is held by a negotiate");
    assert.equal(hub.admin.stats().connections, 0);
  } finally {
    await Promise.all(open.map((c) => c.stop()));
    await close();
  }
});

Deno.test("a user's slot is free again once a connection ends", async () => {
  const { hub, base, close } = await cappedHub(2);
  const open = [];
  try {
    const alice = await mintToken("alice");
    const as = { accessTokenFactory: () => alice };
    const tries = await Promise.allSettled(
      Array.from({ length: 8 }, () => connectHub(base, as)),
    );
    for (const t of tries) if (t.status === "fulfilled") open.push(t.value);
    assert.equal(open.length, 2, "exactly the cap connects at once");
    await open.shift()!.stop();
    // The slot comes back when the server has seen the socket end, a
    // moment after the client's stop resolves.
    await waitUntil(async () => {
      try {
        open.push(await connectHub(base, as));
        return true;
      } catch (error) {
        assert.match(String(error), /429/);
        return false;
      }
    }, "a third connection after one ended");
    assert.equal(hub.admin.stats().connections, 2);
  } finally {
    await Promise.all(open.map((c) => c.stop()));
    await close();
  }
});

Deno.test("raw connection handlers: a burst of negotiates cannot pass a user's cap together", async () => {
  const endpoint = new ConnectionServer(
    { path: "/raw", async onConnection() {} },
    {
      logger: silentLogger,
      maxConnectionsPerUser: 2,
      authenticate: jwtAuthenticator({ secret: TEST_SECRET }),
    },
  );
  await endpoint.start();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => endpoint.handle(req, info),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}/raw`;
    const statuses = await negotiateBurst(base, await mintToken("alice"), 12);
    assert.equal(statuses.filter((s) => s === 200).length, 2, `${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 10, `${statuses}`);
    const bob = await negotiateBurst(base, await mintToken("bob"), 1);
    assert.deepEqual(bob, [200]);
  } finally {
    await endpoint.shutdown();
    await server.shutdown();
  }
});
