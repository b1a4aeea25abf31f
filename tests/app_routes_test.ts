/**
 * The app's own answers through the web layer: API paths always get JSON
 * (unknown path 404, wrong method 405 with Allow), pages get the HTML
 * error pages, and the hub is mounted under /chart.
 */

import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";

Deno.test("API errors are JSON, page errors are HTML, the hub answers /chart", async () => {
  const app = await startTestServer();
  try {
    const missing = await fetch(`${app.url}/api/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "Not found" });

    const wrong = await fetch(`${app.url}/api/token`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    assert.deepEqual(await wrong.json(), { error: "Method not allowed" });

    const page = await fetch(`${app.url}/no/such/page`);
    assert.equal(page.status, 404);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    assert.match(await page.text(), /Page not found/);

    const post = await fetch(`${app.url}/healthz`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.match(await post.text(), /The server answered 405/);

    const negotiate = await fetch(
      `${app.url}/chart/negotiate?negotiateVersion=1`,
      {
        method: "POST",
      },
    );
    assert.equal(negotiate.status, 200);
    assert.ok((await negotiate.json()).connectionToken);
    // The hub's path matches in any case, as ASP.NET routes it.
    const upper = await fetch(`${app.url}/CHART/negotiate?negotiateVersion=1`, {
      method: "POST",
    });
    assert.equal(upper.status, 200);
    await upper.body?.cancel();
  } finally {
    await app.close();
  }
});
