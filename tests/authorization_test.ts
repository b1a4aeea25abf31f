/**
 * Hub-level `authorize` and per-method `authorized(rule, fn)` with real
 * JWTs and the official client: anonymous negotiate 401, a refused user
 * 403 (negotiate and every transport request), and ASP.NET's error text
 * for a method the caller may not call, on all three transports.
 */

import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { authorized, defineHub, type HubContext } from "../hub/mod.ts";
import { jwtAuthenticator } from "../hub/auth.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";

const SECRET = "authorization-test-secret-of-32-bytes!";
const authenticate = jwtAuthenticator({ secret: SECRET });

function token(sub: string, claims: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(SECRET));
}

/** Signed in and not banned may connect; some methods need more. */
const guarded = defineHub({
  authorize: { policy: (p) => p.claims.banned !== true },
  methods: {
    Whoami: (ctx: HubContext) => ctx.userId,
    Purge: authorized(
      { roles: ["admin"] },
      (_ctx: HubContext, what: string) => `purged ${what}`,
    ),
    Tenant: authorized(
      { policy: (p) => p.claims.tenant === "acme" },
      (_ctx: HubContext) => "acme only",
    ),
    Count: authorized({ roles: ["admin"] }, async function* (
      _ctx: HubContext,
      n: number,
    ) {
      for (let i = 0; i < n; i++) yield i;
    }),
  },
});

/** No hub rule: anonymous callers connect, but not every method is theirs. */
const open = defineHub({
  methods: {
    Hello: (_ctx: HubContext) => "hello",
    Members: authorized(true, (ctx: HubContext) => `member ${ctx.userId}`),
  },
});

const transports = [
  signalR.HttpTransportType.WebSockets,
  signalR.HttpTransportType.ServerSentEvents,
  signalR.HttpTransportType.LongPolling,
];

Deno.test("authorize: anonymous negotiate gets 401, a refused user 403", async () => {
  const app = await serveHub(guarded, { authenticate });
  try {
    const anonymous = await fetch(`${app.url}/hub/negotiate`, {
      method: "POST",
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const banned = await fetch(`${app.url}/hub/negotiate`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await token("eve", { banned: true })}`,
      },
    });
    assert.equal(banned.status, 403);
    await banned.body?.cancel();
    // The official client reports the refusal and does not connect.
    await assert.rejects(
      connect(app.url, "/hub"),
      (e: Error) => /401/.test(e.message),
    );
    const eve = await token("eve", { banned: true });
    await assert.rejects(
      connect(app.url, "/hub", { accessTokenFactory: () => eve }),
      (e: Error) => /403/.test(e.message),
    );
    // skipNegotiation: the upgrade itself is refused.
    await assert.rejects(
      connect(app.url, "/hub", {
        skipNegotiation: true,
        transport: signalR.HttpTransportType.WebSockets,
      }),
    );
    assert.equal(app.hub.sizes().store, 0);
  } finally {
    await app.close();
  }
});

Deno.test("authorize: every transport request is checked, not only negotiate", async () => {
  const app = await serveHub(guarded, { authenticate });
  try {
    const alice = await token("alice");
    const negotiated = await fetch(
      `${app.url}/hub/negotiate?negotiateVersion=1`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${alice}` },
      },
    );
    const { connectionToken } = await negotiated.json();
    const at = `${app.url}/hub?id=${connectionToken}`;
    // Without a token: 401 for the poll, the SSE stream and a send.
    for (
      const init of [
        {},
        { headers: { accept: "text/event-stream" } },
        { method: "POST", body: "{}\x1e" },
      ]
    ) {
      const res = await fetch(at, init);
      assert.equal(res.status, 401, JSON.stringify(init));
      await res.body?.cancel();
    }
    // A valid token the rule refuses: 403, even for a negotiated id.
    const banned = await token("alice", { banned: true });
    const res = await fetch(at, {
      headers: { authorization: `Bearer ${banned}` },
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
    const ws = await fetch(`${app.url}/hub?id=${connectionToken}`, {
      headers: { upgrade: "websocket", connection: "upgrade" },
    });
    assert.equal(ws.status, 401);
    await ws.body?.cancel();
  } finally {
    await app.close();
  }
});

for (const transport of transports) {
  const name = signalR.HttpTransportType[transport];
  Deno.test(`authorized: roles and policies per method over ${name}`, async () => {
    const app = await serveHub(guarded, { authenticate });
    const admin = await token("alice", { roles: ["admin"], tenant: "acme" });
    const user = await token("bob", { roles: "viewer" });
    const a = await connect(app.url, "/hub", {
      transport,
      accessTokenFactory: () => admin,
    });
    const b = await connect(app.url, "/hub", {
      transport,
      accessTokenFactory: () => user,
    });
    try {
      assert.equal(await a.invoke("Whoami"), "alice");
      assert.equal(await b.invoke("Whoami"), "bob");
      assert.equal(await a.invoke("Purge", "logs"), "purged logs");
      assert.equal(await a.invoke("Tenant"), "acme only");
      await assert.rejects(b.invoke("Purge", "logs"), {
        message: "Failed to invoke 'Purge' because user is unauthorized",
      });
      await assert.rejects(b.invoke("Tenant"), {
        message: "Failed to invoke 'Tenant' because user is unauthorized",
      });
      // Streams are refused the same way; the connection stays usable.
      const items: number[] = [];
      await new Promise<void>((resolve, reject) => {
        b.stream<number>("Count", 3).subscribe({
          next: (i) => items.push(i),
          complete: () => reject(new Error("stream should be refused")),
          error: (e) => {
            assert.equal(
              e.message,
              "Failed to invoke 'Count' because user is unauthorized",
            );
            resolve();
          },
        });
      });
      assert.deepEqual(items, []);
      assert.equal(await b.invoke("Whoami"), "bob");
      const got: number[] = [];
      await new Promise<void>((resolve, reject) => {
        a.stream<number>("Count", 3).subscribe({
          next: (i) => got.push(i),
          complete: resolve,
          error: reject,
        });
      });
      assert.deepEqual(got, [0, 1, 2]);
    } finally {
      await a.stop();
      await b.stop();
      await app.close();
    }
  });
}

Deno.test("authorized(true) refuses anonymous callers of an open hub", async () => {
  const app = await serveHub(open, { authenticate });
  const anonymous = await connect(app.url, "/hub");
  const carol = await token("carol");
  const signedIn = await connect(app.url, "/hub", {
    accessTokenFactory: () => carol,
  });
  try {
    assert.equal(await anonymous.invoke("Hello"), "hello");
    await assert.rejects(anonymous.invoke("Members"), {
      message: "Failed to invoke 'Members' because user is unauthorized",
    });
    assert.equal(await signedIn.invoke("Members"), "member carol");
  } finally {
    await anonymous.stop();
    await signedIn.stop();
    await app.close();
  }
});

Deno.test("rolesClaim: roles are read from the configured claim", async () => {
  const app = await serveHub(guarded, { authenticate, rolesClaim: "groups" });
  const inGroups = await token("dan", { groups: ["admin"] });
  const inRoles = await token("erin", { roles: ["admin"] });
  const d = await connect(app.url, "/hub", {
    accessTokenFactory: () => inGroups,
  });
  const e = await connect(app.url, "/hub", {
    accessTokenFactory: () => inRoles,
  });
  try {
    assert.equal(await d.invoke("Purge", "x"), "purged x");
    await assert.rejects(e.invoke("Purge", "x"), {
      message: "Failed to invoke 'Purge' because user is unauthorized",
    });
  } finally {
    await d.stop();
    await e.stop();
    await app.close();
  }
});

Deno.test("authorized: a misused rule fails at definition", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => authorized({ roles: "admin" } as any, (_ctx: HubContext) => 1),
    TypeError,
  );
  const fn = authorized(true, (_ctx: HubContext, _a: number, _b: number) => 1);
  assert.equal(fn.length, 3);
});
