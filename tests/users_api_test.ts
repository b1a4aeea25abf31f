import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import {
  postJson,
  signUpAndToken,
  startUsersApp,
} from "./helpers/users_fixture.ts";

async function status(response: Promise<Response>): Promise<number> {
  const r = await response;
  await r.body?.cancel();
  return r.status;
}

Deno.test("POST /api/users: 201, 409 when taken, 400 when malformed", async () => {
  const app = await startUsersApp();
  const users = `${app.url}/api/users`;
  try {
    const created = await postJson(users, {
      username: "alice",
      password: "password1",
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { username: "alice" });
    assert.equal(
      await status(
        postJson(users, { username: "alice", password: "password2" }),
      ),
      409,
    );
    for (
      const body of [
        { username: "al", password: "password1" },
        { username: "x".repeat(33), password: "password1" },
        { username: "Alice", password: "password1" },
        { username: "bob!", password: "password1" },
        { username: "bob", password: "short" },
        { username: "bob" },
        { password: "password1" },
        ["bob", "password1"],
        "bob",
      ]
    ) {
      assert.equal(
        await status(postJson(users, body)),
        400,
        JSON.stringify(body),
      );
    }
    const notJson = fetch(users, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    assert.equal(await status(notJson), 400);
    const huge = postJson(users, {
      username: "bob",
      password: "p".repeat(10_000),
    });
    assert.equal(await status(huge), 413);
  } finally {
    await app.close();
  }
});

Deno.test("POST /api/token: a Bearer JWT whose sub is the username; 401 when wrong", async () => {
  const app = await startUsersApp();
  const token = `${app.url}/api/token`;
  try {
    await signUpAndToken(app.url, "alice", "alice-password");
    const response = await postJson(token, {
      username: "alice",
      password: "alice-password",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "expires_in",
      "token_type",
    ]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 3600);
    assert.equal(decodeJwt(body.access_token).sub, "alice");
    assert.equal(
      await status(
        postJson(token, { username: "alice", password: "wrong-password" }),
      ),
      401,
    );
    assert.equal(
      await status(
        postJson(token, { username: "nobody", password: "alice-password" }),
      ),
      401,
    );
    assert.equal(await status(postJson(token, { username: "alice" })), 400);
  } finally {
    await app.close();
  }
});

Deno.test("brute force on /api/token is throttled with 429 and Retry-After", async () => {
  const app = await startUsersApp();
  const token = `${app.url}/api/token`;
  try {
    await signUpAndToken(app.url, "alice", "alice-password");
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      statuses.push(
        await status(
          postJson(token, { username: "alice", password: `guess-${i}` }),
        ),
      );
    }
    // The default allows a burst of 10 failures per username.
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(statuses.slice(10), Array(5).fill(429));
    const throttled = await postJson(token, {
      username: "alice",
      password: "alice-password",
    });
    await throttled.body?.cancel();
    assert.equal(throttled.status, 429, "even the right password waits");
    assert.ok(Number(throttled.headers.get("retry-after")) >= 1);
    // Many usernames from one address hit the per-address limit (30).
    const spread: number[] = [];
    for (let i = 0; i < 30; i++) {
      spread.push(
        await status(
          postJson(token, { username: `user${i}`, password: "password1" }),
        ),
      );
    }
    assert.ok(spread.includes(429), "address limit reached");
  } finally {
    await app.close();
  }
});

Deno.test("session cookie: HttpOnly, SameSite=Lax, Secure on https; who-am-I; sign out; no cross-site sign-in", async () => {
  const app = await startUsersApp();
  const session = `${app.url}/api/session`;
  try {
    await signUpAndToken(app.url, "carol", "carol-password");
    const creds = { username: "carol", password: "carol-password" };
    const signIn = await postJson(session, creds, { origin: app.url });
    assert.equal(signIn.status, 200);
    assert.deepEqual(await signIn.json(), { username: "carol" });
    const setCookie = signIn.headers.get("set-cookie")!;
    assert.match(setCookie, /^switchboard_session=[\w-]+\.[\w-]+\.[\w-]+;/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Lax/);
    assert.match(setCookie, /; Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, "plain http here");
    const cookie = setCookie.split(";")[0];

    const who = await fetch(session, { headers: { cookie } });
    assert.deepEqual(await who.json(), { username: "carol" });
    const nobody = await fetch(session);
    assert.deepEqual(await nobody.json(), { username: null });

    const viaProxy = await postJson(session, creds, {
      "x-forwarded-proto": "https",
    });
    await viaProxy.body?.cancel();
    assert.match(viaProxy.headers.get("set-cookie")!, /; Secure/);

    const form = await fetch(session, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(creds),
    });
    await form.body?.cancel();
    assert.equal(form.status, 303, "a plain HTML form lands back on the page");
    assert.match(form.headers.get("set-cookie")!, /HttpOnly/);

    assert.equal(
      await status(postJson(session, creds, { origin: "http://evil.example" })),
      403,
    );
    const out = await fetch(session, { method: "DELETE", headers: { cookie } });
    await out.body?.cancel();
    assert.equal(out.status, 204);
    assert.match(
      out.headers.get("set-cookie")!,
      /^switchboard_session=; .*Max-Age=0/,
    );
  } finally {
    await app.close();
  }
});

Deno.test("tokens, cookies and passwords never reach the logs or /metrics", async () => {
  const app = await startUsersApp({ LOG_LEVEL: "debug" });
  try {
    const password = "secret-password-xyz";
    const token = await signUpAndToken(app.url, "dave", password);
    const signIn = await postJson(`${app.url}/api/session`, {
      username: "dave",
      password,
    });
    const cookie =
      signIn.headers.get("set-cookie")!.split(";")[0].split("=")[1];
    await signIn.body?.cancel();
    const refused = await fetch(
      `${app.url}/chart/negotiate?access_token=${token}x`,
      { method: "POST" },
    );
    await refused.body?.cancel();
    const ok = await fetch(
      `${app.url}/chart/negotiate?negotiateVersion=1&access_token=${token}`,
      {
        method: "POST",
      },
    );
    await ok.body?.cancel();
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const everything = app.logs.join("\n") + metrics;
    assert.ok(app.logs.length > 0);
    for (const secret of [password, token, cookie, token.split(".")[2]]) {
      assert.ok(!everything.includes(secret), "a secret leaked");
    }
  } finally {
    await app.close();
  }
});
