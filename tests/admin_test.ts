/**
 * The admin page and hub with the real app: who gets in (page and hub, at
 * negotiate and per method), the live snapshot, lookup and disconnect of a
 * chart connection, and the sign-in form's way back to `/admin`.
 */

import assert from "node:assert/strict";
import {
  mintToken,
  startUsersApp,
  type UsersApp,
} from "./helpers/users_fixture.ts";
import { connect } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { HubServer } from "../hub/mod.ts";
import { adminHub, parseAdminUsers } from "../chart/admin_hub.ts";
import { AdminFeed } from "../chart/admin_feed.ts";
import { chartHub } from "../chart/chart_hub.ts";
import { ChartHistory } from "../chart/chart_history.ts";
import { localPath } from "../accounts/api_http.ts";
import { SESSION_COOKIE } from "../accounts/session_cookie.ts";
import type {
  AdminConnection,
  AdminSample,
  AdminSnapshot,
} from "../chart/admin_contract.ts";

async function withApp(body: (app: UsersApp) => Promise<void>) {
  const app = await startUsersApp({ ADMIN_USERS: " root , ops" });
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

async function negotiate(app: UsersApp, user?: string): Promise<number> {
  const headers: Record<string, string> = user
    ? { authorization: `Bearer ${await mintToken(user)}` }
    : {};
  const res = await fetch(`${app.url}/admin-hub/negotiate?negotiateVersion=1`, {
    method: "POST",
    headers,
  });
  await res.body?.cancel();
  return res.status;
}

async function page(app: UsersApp, user?: string) {
  const headers: Record<string, string> = user
    ? { cookie: `${SESSION_COOKIE}=${await mintToken(user)}` }
    : {};
  const res = await fetch(`${app.url}/admin`, { headers });
  return { status: res.status, html: await res.text() };
}

Deno.test("admin: ADMIN_USERS is a trimmed, comma-separated list", () => {
  assert.deepEqual([...parseAdminUsers(" root , ops,,")], ["root", "ops"]);
  assert.equal(parseAdminUsers(undefined).size, 0);
});

Deno.test("admin: the page and hub let admins in, 401 anonymous, 403 others", async () => {
  await withApp(async (app) => {
    assert.equal(await negotiate(app), 401);
    assert.equal(await negotiate(app, "mallory"), 403);
    assert.equal(await negotiate(app, "root"), 200);
    assert.equal(await negotiate(app, "ops"), 200);

    const anonymous = await page(app);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.html, /data-testid="admin-sign-in"/);
    assert.match(anonymous.html, /action="\/api\/session\?next=\/admin"/);
    assert.doesNotMatch(anonymous.html, /AdminDashboard/);
    const other = await page(app, "mallory");
    assert.equal(other.status, 403);
    assert.match(other.html, /mallory is not an administrator/);
    assert.doesNotMatch(other.html, /AdminDashboard/);
    const admin = await page(app, "root");
    assert.equal(admin.status, 200);
    assert.match(admin.html, /AdminDashboard/);
  });
});

Deno.test("admin: a live snapshot, lookup and disconnect of a chart connection", async () => {
  await withApp(async (app) => {
    const token = await mintToken("root");
    const admin = await connect(app.url, "/admin-hub", {
      accessTokenFactory: () => token,
    });
    const snapshots: AdminSnapshot[] = [];
    admin.on("adminstats", (s: AdminSnapshot) => snapshots.push(s));
    const reconnected = Promise.withResolvers<string | undefined>();
    const chart = await connect(app.url, "/chart", {
      reconnect: { nextRetryDelayInMilliseconds: () => 0 },
    });
    chart.onreconnected((id) => reconnected.resolve(id));
    try {
      const id = await chart.invoke<string>("GetConnectionId");
      await chart.invoke("AddToGroup", "watchers");
      await waitUntil(
        () =>
          snapshots.at(-1)?.groups.some((g) =>
            g.group === "watchers" && g.connections === 1
          ) ?? false,
        "the group in a snapshot",
      );
      const s = snapshots.at(-1)!;
      assert.equal(s.nodes.length, 1);
      assert.equal(s.nodes[0].node, s.node);
      assert.equal(s.nodes[0].connections, 1, "the chart hub's connections");
      assert.equal(s.mix["WebSockets/json"], 1);
      assert.equal(s.backplane.healthy, true);
      const history = await admin.invoke<AdminSample[]>("GetHistory");
      assert.ok(history.length >= 1 && history.length <= 300);

      const info = await admin.invoke<AdminConnection>(
        "LookupConnection",
        id,
      );
      assert.deepEqual(info, {
        id,
        user: null,
        groups: ["watchers"],
        transport: "WebSockets",
        protocol: "json",
        queuedBytes: 0,
      });
      await assert.rejects(
        admin.invoke("LookupConnection", 42),
        /The connection id must be a non-empty string/,
      );
      assert.equal(await admin.invoke("LookupConnection", "nope"), null);
      assert.equal(await admin.invoke("Disconnect", id), true);
      // Closed with reconnect allowed: the client comes back, as a new id.
      const newId = await reconnected.promise;
      assert.ok(newId && newId !== id);
      assert.equal(await admin.invoke("LookupConnection", id), null);
      assert.equal(await admin.invoke("Disconnect", id), false);
    } finally {
      await chart.stop();
      await admin.stop();
    }
  });
});

Deno.test("admin: a connected admin who loses the role is refused per method", async () => {
  const chart = new HubServer(chartHub(new ChartHistory()), { path: "/chart" });
  const admins = new Set(["root"]);
  const fixture = await serveHub(
    adminHub({ chart, feed: new AdminFeed(chart), admins }),
    {
      authenticate: (req) => {
        const user = req.headers.get("x-user");
        return user ? { userId: user, claims: { sub: user } } : null;
      },
    },
  );
  const conn = await connect(fixture.url, "/hub", {
    headers: { "x-user": "root" },
  });
  try {
    assert.deepEqual(await conn.invoke("GetHistory"), []);
    admins.delete("root");
    await assert.rejects(
      conn.invoke("GetHistory"),
      /Failed to invoke 'GetHistory' because user is unauthorized/,
    );
    await assert.rejects(conn.invoke("Disconnect", "x"), /unauthorized/);
  } finally {
    await conn.stop();
    await fixture.close();
  }
});

Deno.test("admin: the sign-in form returns to a local path only", async () => {
  assert.equal(localPath("/admin"), "/admin");
  for (
    const bad of [null, "", "//evil.example", "https://evil.example", "/\\x"]
  ) {
    assert.equal(localPath(bad), "/", String(bad));
  }
  const app = await startUsersApp();
  try {
    const base = app.url;
    const form = new URLSearchParams({ username: "root", password: "pw" });
    const signUp = await fetch(`${base}/api/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "root", password: "a-long-password" }),
    });
    await signUp.body?.cancel();
    form.set("password", "a-long-password");
    for (const [next, expected] of [["/admin", "/admin"], ["//x.y", "/"]]) {
      const res = await fetch(
        `${base}/api/session?next=${encodeURIComponent(next)}`,
        {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: base,
          },
          body: form,
          redirect: "manual",
        },
      );
      await res.body?.cancel();
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), expected);
    }
  } finally {
    await app.close();
  }
});
