import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import { gzipSize } from "../web/content_hash.ts";

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

Deno.test("the chart page ships at most 100 KiB of gzipped JavaScript", async () => {
  const app = await startTestServer();
  try {
    const html = await (await fetch(`${app.url}/`)).text();
    const urls = scriptUrls(html);
    assert.ok(
      urls.some((u) => u.includes("LiveChart-")),
      "the chart island is loaded",
    );
    // Chunks import only other chunks, all preloaded, so this is the whole set.
    let total = 0;
    for (const url of urls) {
      const res = await fetch(new URL(url, app.url));
      assert.equal(res.status, 200, url);
      total += await gzipSize(new Uint8Array(await res.arrayBuffer()));
    }
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
