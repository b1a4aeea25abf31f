/**
 * `ALLOWED_HOSTS` against DNS rebinding: a page on the attacker's name,
 * re-pointed at this server, sends its own name as `Host` and a matching
 * `Origin`, so only the Host list can tell it apart.
 */

import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import { rawRequest } from "./helpers/raw_http.ts";

const REBOUND = [
  "evil.example",
  "evil.example:8000",
  "app.example.evil.example",
  "xapp.example",
  "app.example.",
  "[::1]",
  "127.0.0.1",
  "app.example@evil.example",
  "app.example/x",
];

Deno.test("ALLOWED_HOSTS: only listed names reach pages, API and hub", async (t) => {
  const server = await startTestServer({
    env: { ALLOWED_HOSTS: "app.example, *.cdn.example, localhost" },
  });
  const port = Number(new URL(server.url).port);
  try {
    await t.step("listed names are served, on any port", async () => {
      for (const host of ["app.example", "APP.example:9", "a.cdn.example"]) {
        const page = await rawRequest(port, "/", { host });
        assert.equal(page.status, 200, host);
      }
      const health = await rawRequest(port, "/healthz", { host: "localhost" });
      assert.equal(health.status, 200);
    });
    await t.step("a rebound name is refused everywhere with 400", async () => {
      const targets: Array<[string, string]> = [
        ["GET", "/"],
        ["GET", "/healthz"],
        ["GET", "/metrics"],
        ["POST", "/chart/negotiate?negotiateVersion=1"],
        ["POST", "/api/token"],
        ["GET", "/styles.css"],
      ];
      for (const host of [...REBOUND, "cdn.example"]) {
        for (const [method, target] of targets) {
          const res = await rawRequest(port, target, {
            method,
            host,
            headers: [`Origin: http://${host}`, "Content-Length: 0"],
          });
          assert.equal(res.status, 400, `${method} ${target} Host ${host}`);
          assert.match(res.text, /Invalid Host header/);
        }
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("ALLOWED_HOSTS unset: any Host, and the Origin check still holds", async () => {
  const server = await startTestServer();
  const port = Number(new URL(server.url).port);
  try {
    const page = await rawRequest(port, "/", { host: "anything.example" });
    assert.equal(page.status, 200);
    const foreign = await rawRequest(
      port,
      "/chart/negotiate?negotiateVersion=1",
      {
        method: "POST",
        headers: ["Origin: http://evil.example", "Content-Length: 0"],
      },
    );
    assert.equal(foreign.status, 403);
  } finally {
    await server.close();
  }
});
