/**
 * A `Host` header no URL can hold: the request is the client's error
 * (400), and nothing of it, least of all a query token, reaches the log
 * unredacted. Before, the URL parse threw past the app's logger and
 * Deno's default error handler printed the whole URL with its token.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { rawRequest } from "./helpers/raw_http.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl";

Deno.test("a Host no URL can hold gets 400 and leaks no token into the log", async () => {
  const app = await AppProcess.start("main.ts", {
    KV_PATH: ":memory:",
    LOG_LEVEL: "debug",
  });
  try {
    const port = Number(new URL(app.url).port);
    const targets: Array<[string, string]> = [
      ["POST", `/chart/negotiate?negotiateVersion=1&access_token=${TOKEN}`],
      ["GET", `/chart?id=x&ACCESS_TOKEN=${TOKEN}`],
      ["POST", `/api/token?access%5Ftoken=${TOKEN}`],
      ["GET", `/?access_token=${TOKEN}`],
    ];
    for (const host of ["[::zz", "a b", "["]) {
      for (const [method, target] of targets) {
        const res = await rawRequest(port, target, {
          method,
          host,
          headers: ["Content-Length: 0"],
        });
        assert.equal(res.status, 400, `${method} ${target} Host ${host}`);
      }
    }
    // The server still answers a good request after all of them.
    const ok = await rawRequest(port, "/healthz", {});
    assert.equal(ok.status, 200);
    const log = app.log.join("\n");
    assert.ok(!log.includes("c2lnbmF0dXJl"), `token in the log:\n${log}`);
    assert.ok(!/Invalid URL/.test(log), `unhandled URL error:\n${log}`);
  } finally {
    await app.stop();
  }
});
