import assert from "node:assert/strict";
import { withSite } from "./helpers/fixture_server.ts";
import { IMMUTABLE } from "../web/static_files.ts";

/** Response head of a raw HTTP/1.1 GET, bypassing fetch's decoding. */
async function rawHead(
  base: string,
  path: string,
  encoding: string,
): Promise<string> {
  const { hostname, port } = new URL(base);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept-Encoding: ${encoding}\r\nConnection: close\r\n\r\n`,
    ));
    let text = "";
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(16 * 1024);
    while (!text.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
    }
    return text.slice(0, text.indexOf("\r\n\r\n")).replaceAll("\r\n", "\n");
  } finally {
    conn.close();
  }
}

Deno.test("web handler serves routes, islands, static files and error pages", async (t) => {
  await withSite({ greeting: "hello" }, async (base) => {
    await t.step(
      "page with an island gets marker, props and its bundle",
      async () => {
        const res = await fetch(`${base}/`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /text\/html/);
        const html = await res.text();
        assert.ok(html.startsWith("<!DOCTYPE html>"));
        assert.match(html, /<switchboard-island data-island="0">/);
        assert.match(
          html,
          /<script type="module" src="\/build\/Counter-[0-9a-f]{12}\.js">/,
        );
        assert.match(html, /<link rel="modulepreload" href="\/build\/chunk-/);
        assert.ok(
          !html.includes("Greeting-"),
          "only islands on the page are loaded",
        );
        assert.ok(
          !html.includes("</script><b>"),
          "props must not break out of the script",
        );
        const props =
          /id="__switchboard_islands">(.*?)<\/script>/.exec(html)![1];
        const records = JSON.parse(props);
        assert.equal(records[0].module, "Counter");
        assert.deepEqual(records[0].props.count, { $t: "Signal", v: 41 });
      },
    );
    await t.step("page without islands ships no JavaScript", async () => {
      const html = await (await fetch(`${base}/plain`)).text();
      assert.match(html, /No islands here/);
      assert.ok(!html.includes("<script"), html);
    });
    await t.step("params, static beats param, rest", async () => {
      const user = await fetch(`${base}/users/ada`);
      assert.equal(user.headers.get("x-user"), "ada");
      assert.match(await user.text(), /hello ada/);
      assert.match(
        await (await fetch(`${base}/users/new`)).text(),
        /new user form/,
      );
      assert.match(
        await (await fetch(`${base}/files/a/b%20c`)).text(),
        /rest=a\/b c/,
      );
    });
    await t.step("api route and method checks", async () => {
      const res = await fetch(`${base}/api/echo`, {
        method: "POST",
        body: '{"x":1}',
      });
      assert.deepEqual(await res.json(), { echo: { x: 1 } });
      const wrong = await fetch(`${base}/api/echo`);
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get("allow"), "POST");
      await wrong.body?.cancel();
      const head = await fetch(`${base}/plain`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
    });
    await t.step("404 and 500 pages", async () => {
      const missing = await fetch(`${base}/nope`);
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /Nothing here/);
      const apiMissing = await fetch(`${base}/api/nope`);
      assert.equal(apiMissing.status, 404);
      assert.deepEqual(await apiMissing.json(), { error: "Not found" });
      const boom = await fetch(`${base}/boom`);
      assert.equal(boom.status, 500);
      const text = await boom.text();
      assert.match(text, /Something broke/);
      assert.ok(!text.includes("kaboom"), "error details stay on the server");
    });
    await t.step(
      "static files revalidate, build files are immutable",
      async () => {
        const res = await fetch(`${base}/hello.txt`);
        assert.equal(await res.text(), "hello static\n");
        assert.match(res.headers.get("cache-control")!, /must-revalidate/);
        const again = await fetch(`${base}/hello.txt`, {
          headers: { "if-none-match": res.headers.get("etag")! },
        });
        assert.equal(again.status, 304);
        await again.body?.cancel();
        const html = await (await fetch(`${base}/`)).text();
        const src = /src="(\/build\/Counter-[^"]+)"/.exec(html)![1];
        const bundle = await fetch(`${base}${src}`);
        assert.equal(bundle.headers.get("cache-control"), IMMUTABLE);
        assert.match(bundle.headers.get("content-type")!, /javascript/);
        const plain = await bundle.text();
        // Raw HTTP: fetch clients differ on hiding Content-Encoding once decoded.
        const head = await rawHead(base, src, "gzip");
        assert.match(head, /^content-encoding: gzip$/im);
        assert.match(head, /^vary: accept-encoding$/im);
        const length = Number(/^content-length: (\d+)$/im.exec(head)![1]);
        assert.ok(length < plain.length, "the gzipped twin is smaller");
        const manifest = await fetch(`${base}/build/manifest.json`);
        assert.equal(manifest.status, 404);
        await manifest.body?.cancel();
        const traversal = await fetch(`${base}/%2e%2e/routes/index.tsx`);
        assert.equal(traversal.status, 404);
        await traversal.body?.cancel();
      },
    );
  });
});
