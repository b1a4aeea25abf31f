import assert from "node:assert/strict";
import {
  connectHub,
  mintToken,
  nextMessage,
  signUpAndToken,
  startUsersApp,
  upgradeStatus,
} from "./helpers/users_fixture.ts";

Deno.test("BroadcastToUser reaches both of alice's connections (header and query token) and none of bob's", async () => {
  const app = await startUsersApp();
  const connections = [];
  try {
    const aliceToken = await signUpAndToken(app.url, "alice");
    const bobToken = await signUpAndToken(app.url, "bob");
    const aliceHeader = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => aliceToken,
    });
    connections.push(aliceHeader);
    const aliceQuery = await connectHub(
      `${app.url}/chart?access_token=${aliceToken}`,
    );
    connections.push(aliceQuery);
    const bob = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => bobToken,
    });
    connections.push(bob);

    const atHeader = nextMessage(aliceHeader, "broadcasttouser");
    const atQuery = nextMessage(aliceQuery, "broadcasttouser");
    const atBob = nextMessage(bob, "broadcasttouser");
    await bob.invoke("BroadcastToUser", "hi alice", "alice");
    assert.equal(await atHeader, "hi alice");
    assert.equal(await atQuery, "hi alice");
    // Bob's first user message must be this later one, so "hi alice" never
    // reached him (one connection's messages arrive in send order).
    await aliceHeader.invoke("BroadcastToUser", "hi bob", "bob");
    assert.equal(await atBob, "hi bob");
  } finally {
    await Promise.all(connections.map((c) => c.stop()));
    await app.close();
  }
});

Deno.test("anonymous callers may connect but not use BroadcastToUser", async () => {
  const app = await startUsersApp();
  const anonymous = await connectHub(`${app.url}/chart`);
  try {
    await assert.rejects(
      anonymous.invoke("BroadcastToUser", "hello", "alice"),
      /Sign in/,
    );
  } finally {
    await anonymous.stop();
    await app.close();
  }
});

Deno.test("bad, expired and foreign-signed tokens get 401 at negotiate and at the WebSocket upgrade", async () => {
  const app = await startUsersApp();
  try {
    const tokens = {
      garbage: "garbage.token.here",
      expired: await mintToken("alice", { expiresIn: -3600 }),
      foreign: await mintToken("alice", {
        secret: "someone-elses-secret-0123456789abcdef",
      }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const header = await fetch(
        `${app.url}/chart/negotiate?negotiateVersion=1`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        },
      );
      await header.body?.cancel();
      assert.equal(header.status, 401, `${name} header negotiate`);
      const query = await fetch(
        `${app.url}/chart/negotiate?negotiateVersion=1&access_token=${token}`,
        { method: "POST" },
      );
      await query.body?.cancel();
      assert.equal(query.status, 401, `${name} query negotiate`);
      assert.equal(
        await upgradeStatus(`${app.url}/chart?access_token=${token}`),
        401,
        `${name} upgrade`,
      );
      await assert.rejects(
        connectHub(`${app.url}/chart`, { accessTokenFactory: () => token }),
        /401/,
        `${name} official client`,
      );
    }
    const good = await mintToken("alice");
    assert.equal(
      await upgradeStatus(`${app.url}/chart?access_token=${good}`),
      101,
    );
  } finally {
    await app.close();
  }
});

Deno.test("a cookie-authenticated upgrade from another origin is refused", async () => {
  const app = await startUsersApp();
  try {
    const cookie = `switchboard_session=${await mintToken("alice")}`;
    assert.equal(
      await upgradeStatus(`${app.url}/chart`, {
        cookie,
        origin: "http://evil.example",
      }),
      403,
    );
    assert.equal(
      await upgradeStatus(`${app.url}/chart`, { cookie, origin: app.url }),
      101,
      "the page's own origin is fine",
    );
  } finally {
    await app.close();
  }
});

Deno.test("a connection is closed when its token expires", async () => {
  const app = await startUsersApp();
  try {
    const token = await mintToken("alice", { expiresIn: 2 });
    const connection = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => token,
    });
    const closed = new Promise<void>((resolve) =>
      connection.onclose(() => resolve())
    );
    await closed; // waits on the event; the hub's expiry check fires it
    assert.equal(connection.state, "Disconnected");
  } finally {
    await app.close();
  }
});

Deno.test("a stale session cookie leaves the page anonymous instead of locked out, and is cleared", async () => {
  const app = await startUsersApp();
  try {
    const stale = await mintToken("alice", {
      secret: "a-rotated-away-secret-0123456789abcdef",
    });
    const cookie = `switchboard_session=${stale}`;
    const negotiate = await fetch(
      `${app.url}/chart/negotiate?negotiateVersion=1`,
      {
        method: "POST",
        headers: { cookie },
      },
    );
    await negotiate.body?.cancel();
    assert.equal(negotiate.status, 200);
    assert.equal(await upgradeStatus(`${app.url}/chart`, { cookie }), 101);
    const who = await fetch(`${app.url}/api/session`, { headers: { cookie } });
    assert.deepEqual(await who.json(), { username: null });
    assert.match(
      who.headers.get("set-cookie")!,
      /^switchboard_session=; .*Max-Age=0/,
    );
  } finally {
    await app.close();
  }
});
