/**
 * Account API abuse a stranger tries first: taking an administrator's name
 * by signing up before the operator does, and making visitors' browsers
 * call the API from another site (account creation, spending a user's
 * sign-in budget). Administrators are created with `deno task add-user`.
 */

import assert from "node:assert/strict";
import { addUser, startUsersApp } from "./helpers/users_fixture.ts";
import { SESSION_COOKIE } from "../accounts/session_cookie.ts";

const PASSWORD = "a-long-admin-password";
const JSON_TYPE = { "content-type": "application/json" };

Deno.test("sign-up cannot take a name listed in ADMIN_USERS", async () => {
  const app = await startUsersApp({ ADMIN_USERS: "Boss, ops" });
  try {
    for (const username of ["boss", "ops"]) {
      const res = await fetch(`${app.url}/api/users`, {
        method: "POST",
        headers: JSON_TYPE,
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      assert.equal(res.status, 403, username);
      assert.deepEqual(await res.json(), {
        error: "This username is reserved",
      });
    }
    const other = await fetch(`${app.url}/api/users`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ username: "visitor", password: PASSWORD }),
    });
    assert.equal(other.status, 201);
    await other.body?.cancel();
  } finally {
    await app.close();
  }
});

Deno.test("deno task add-user creates the administrator, who then gets /admin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "switchboard-add-user-" });
  const kvPath = `${dir}/kv.sqlite`;
  try {
    const created = await addUser(kvPath, "boss", PASSWORD);
    assert.equal(created.code, 0, created.output);
    assert.match(created.output, /Created boss/);
    const again = await addUser(kvPath, "boss", "another-long-password");
    assert.equal(again.code, 1);
    assert.match(again.output, /Username is taken/);
    const short = await addUser(kvPath, "shorty", "short");
    assert.equal(short.code, 1);

    const app = await startUsersApp({ ADMIN_USERS: "boss", KV_PATH: kvPath });
    try {
      const session = await fetch(`${app.url}/api/session`, {
        method: "POST",
        headers: JSON_TYPE,
        body: JSON.stringify({ username: "boss", password: PASSWORD }),
      });
      assert.equal(session.status, 200);
      await session.body?.cancel();
      const cookie = session.headers.get("set-cookie") ?? "";
      const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1];
      assert.ok(token, cookie);
      const admin = await fetch(`${app.url}/admin`, {
        headers: { cookie: `${SESSION_COOKIE}=${token}` },
      });
      assert.equal(admin.status, 200);
      await admin.body?.cancel();
    } finally {
      await app.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the account API refuses state-changing requests from another site", async () => {
  const app = await startUsersApp();
  try {
    const created = await fetch(`${app.url}/api/users`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ username: "alice", password: PASSWORD }),
    });
    assert.equal(created.status, 201);
    await created.body?.cancel();
    const form = new URLSearchParams({ username: "alice", password: "x" });
    const cases: Array<[string, BodyInit, Record<string, string>]> = [
      ["/api/token", form, {}],
      ["/api/session", form, {}],
      ["/api/users", JSON.stringify({ username: "eve", password: PASSWORD }), {
        "content-type": "text/plain",
      }],
      ["/api/token", form, { "sec-fetch-site": "cross-site" }],
    ];
    for (const [path, body, extra] of cases) {
      const foreign: Record<string, string> = extra["sec-fetch-site"]
        ? {}
        : { origin: "http://evil.example" };
      const res = await fetch(`${app.url}${path}`, {
        method: "POST",
        body,
        headers: { ...foreign, ...extra },
      });
      assert.equal(res.status, 403, path);
      assert.deepEqual(await res.json(), {
        error: "Cross-site request refused",
      });
    }
    // The same requests from the site itself still work.
    const own = await fetch(`${app.url}/api/token`, {
      method: "POST",
      headers: { ...JSON_TYPE, origin: app.url },
      body: JSON.stringify({ username: "alice", password: PASSWORD }),
    });
    assert.equal(own.status, 200);
    await own.body?.cancel();
  } finally {
    await app.close();
  }
});
