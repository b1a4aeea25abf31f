import assert from "node:assert/strict";
import { defineHub, HubServer, silentLogger } from "../hub/mod.ts";
import { jwtAuthenticator } from "../hub/auth.ts";
import { connectHub, mintToken, TEST_SECRET } from "./helpers/users_fixture.ts";

Deno.test("a user's connections are capped per node; other users are unaffected", async () => {
  const hub = new HubServer(defineHub({ methods: {} }), {
    path: "/hub",
    logger: silentLogger,
    maxConnectionsPerUser: 2,
    authenticate: jwtAuthenticator({ secret: TEST_SECRET }),
  });
  await hub.start();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => hub.handle(req, info),
  );
  const base = `http://127.0.0.1:${server.addr.port}/hub`;
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
    await hub.shutdown();
    await server.shutdown();
  }
});
