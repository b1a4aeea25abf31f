import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import { gzipSize } from "../web/content_hash.ts";
import { mintToken, TEST_SECRET } from "./helpers/users_fixture.ts";
import { SESSION_COOKIE } from "../accounts/session_cookie.ts";

/** The chart page's JavaScript budget (issue 3): 100 KiB gzipped in total. */
const BUDGET_BYTES = 100 * 1024;

/** Every script and module preload a page makes the browser fetch. */
function scriptUrls(html: string): string[] {
  const found = [
    ...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g),
  ].map((m) => m[1]);
  return [...new Set(found)];
}

/** Gzipped bytes of every script `html` loads from `base`, and the URLs. */
async function scriptBytes(base: string, html: string) {
  const urls = scriptUrls(html);
  // Chunks import only other chunks, all preloaded, so this is the whole set.
  let total = 0;
  for (const url of urls) {
    const res = await fetch(new URL(url, base));
    assert.equal(res.status, 200, url);
    total += await gzipSize(new Uint8Array(await res.arrayBuffer()));
  }
  return { urls, total };
}

Deno.test("the chart page ships at most 100 KiB of gzipped JavaScript", async () => {
  const app = await startTestServer();
  try {
    const html = await (await fetch(`${app.url}/`)).text();
    const { urls, total } = await scriptBytes(app.url, html);
    assert.ok(
      urls.some((u) => u.includes("LiveChart-")),
      "the chart island is loaded",
    );
    console.log(
      `chart page JavaScript: ${urls.length} files, ${
        (total / 1024).toFixed(1)
      } KiB gzipped`,
    );
    assert.ok(
      total <= BUDGET_BYTES,
      `${total} bytes gzipped is over the budget`,
    );
  } finally {
    await app.close();
  }
});

Deno.test("the admin page ships at most 100 KiB of gzipped JavaScript", async () => {
  const app = await startTestServer({
    env: { ADMIN_USERS: "root", JWT_SECRET: TEST_SECRET, KV_PATH: ":memory:" },
  });
  try {
    const cookie = `${SESSION_COOKIE}=${await mintToken("root")}`;
    const res = await fetch(`${app.url}/admin`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const { urls, total } = await scriptBytes(app.url, await res.text());
    assert.ok(urls.some((u) => u.includes("AdminDashboard-")));
    console.log(`admin page JavaScript: ${(total / 1024).toFixed(1)} KiB gz`);
    assert.ok(total <= BUDGET_BYTES, `${total} bytes gzipped is over`);
  } finally {
    await app.close();
  }
});

Deno.test("pages without islands ship no JavaScript", async () => {
  const app = await startTestServer();
  try {
    const res = await fetch(`${app.url}/no-such-page`);
    assert.equal(res.status, 404);
    const html = await res.text();
    assert.match(html, /Page not found/);
    assert.deepEqual(scriptUrls(html), []);
    assert.ok(!html.includes("<script"));
  } finally {
    await app.close();
  }
});
