/**
 * A fixture app written only from Fresh 2's documentation (main.ts with
 * `new App()`, `define`, `_app`, `_layout`, `_middleware`, `_error`,
 * `_500`, `_404`, route groups, `(_islands)`, `[[optional]]`, `[...rest]`,
 * `routeOverride`, `skipAppWrapper`, `ctx.render`, `ctx.redirect`,
 * `page()`, `HttpError`, `<Head>`, `asset()`) runs on web/ unchanged,
 * served over real HTTP by its own process.
 */

import assert from "node:assert/strict";
import { withFreshApp } from "./helpers/fresh_fixture.ts";

async function get(
  base: string,
  path: string,
  init?: RequestInit,
): Promise<{ res: Response; text: string }> {
  const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
  return { res, text: await res.text() };
}

/** Asserts the markers appear in `text` in this order. */
function assertOrder(text: string, markers: string[]): void {
  const at = markers.map((m) => text.indexOf(m));
  for (const [i, m] of markers.entries()) assert.ok(at[i] !== -1, `no ${m}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, markers.join(" < "));
}

Deno.test("a Fresh 2 app runs unchanged: routes, layouts, middleware, errors", async (t) => {
  await withFreshApp(async ({ url: base, copy, builtBeforeStart }) => {
    await t.step("the first start built the islands", async () => {
      assert.equal(builtBeforeStart, false);
      const manifest = JSON.parse(
        await Deno.readTextFile(
          new URL("static/build/manifest.json", copy.root),
        ),
      );
      assert.deepEqual(Object.keys(manifest.islands).sort(), [
        "Counter",
        "routes__marketing____islands__Banner",
      ]);
    });

    await t.step(
      "middleware runs app-level, then root _middleware array, then folder",
      async () => {
        const { res, text } = await get(base, "/items/42");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-item"), "42");
        assert.match(text, /after app,logger,root-1,root-2,items</);
        assert.match(text, /data-route="\/items\/:id"/);
        // Layouts render outer first, after every middleware.
        assert.equal(
          res.headers.get("x-trail"),
          "app,logger,root-1,root-2,items,layout:root,layout:items",
        );
        assertOrder(text, [
          '<body class="app" data-shared="hello">',
          '<div class="layout-root">',
          '<section class="layout-items">',
          '<article class="item"',
        ]);
      },
    );

    await t.step("a folder middleware can answer alone", async () => {
      const { res, text } = await get(base, "/items/42?deny");
      assert.equal(res.status, 401);
      assert.equal(text, "denied by items middleware");
      assert.equal(res.headers.get("x-trail"), "app,logger,root-1,root-2");
    });

    await t.step(
      "index page with handler data, state and an island",
      async () => {
        const { res, text } = await get(base, "/");
        assert.equal(res.status, 200);
        assert.match(text, /^<!DOCTYPE html><html lang="en">/);
        assert.match(text, /<p class="trail">app,logger,root-1,root-2<\/p>/);
        assert.match(text, /<span data-testid="where">server<\/span>/);
        assert.match(text, /<script type="module" src="\/build\/Counter-/);
        assert.ok(!text.includes("layout-items"), "only the root layout");
      },
    );

    await t.step("HEAD answers like GET without a body", async () => {
      const { res, text } = await get(base, "/", { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(text, "");
    });

    await t.step(
      "by-method handlers, function handlers, 405 with Allow",
      async () => {
        const posted = await get(base, "/items/7", { method: "POST" });
        assert.equal(posted.res.status, 201);
        assert.equal(posted.text, "posted 7");
        const echo = await get(base, "/api/echo", {
          method: "POST",
          body: '{"a":1}',
        });
        assert.deepEqual(JSON.parse(echo.text), { echo: { a: 1 } });
        const wrong = await get(base, "/api/echo");
        assert.equal(wrong.res.status, 405);
        assert.equal(wrong.res.headers.get("allow"), "POST");
        assert.match(wrong.text, /Root error page: 405/);
        const put = await get(base, "/api/method", { method: "PUT" });
        assert.equal(put.text, "method PUT");
      },
    );

    await t.step("programmatic route sees app middleware state", async () => {
      const { text } = await get(base, "/api2/fresh");
      assert.equal(text, "Hello, Fresh! (hello)");
    });

    await t.step(
      "[[optional]], [...rest], groups, ignored folders",
      async () => {
        assert.match((await get(base, "/docs")).text, /slug=\[\]/);
        assert.match((await get(base, "/docs/intro")).text, /slug=\[intro\]/);
        assert.match(
          (await get(base, "/files/a/b%20c")).text,
          /path=a\/b c/,
        );
        const pricing = await get(base, "/pricing");
        assert.equal(pricing.res.status, 200);
        assertOrder(pricing.text, [
          '<div class="layout-root">',
          '<div class="layout-marketing">',
          '<h2 class="card">Pricing</h2>',
          '<button type="button" class="banner">Sale</button>',
        ]);
        assert.match(
          pricing.text,
          /\/build\/routes__marketing____islands__Banner-/,
        );
        for (
          const path of ["/(marketing)/pricing", "/(_components)/Card", "/Card"]
        ) {
          const hidden = await get(base, path);
          assert.equal(hidden.res.status, 404, path);
          assert.match(hidden.text, /Custom 404/);
        }
      },
    );

    await t.step(
      "ctx.render, skipAppWrapper + skipInheritedLayouts, routeOverride",
      async () => {
        const rendered = await get(base, "/render");
        assert.equal(rendered.res.status, 201);
        assert.equal(rendered.res.headers.get("x-render"), "yes");
        assertOrder(rendered.text, [
          '<body class="app"',
          "layout-root",
          "rendered by ctx.render",
        ]);
        const plain = await get(base, "/plain");
        assert.match(plain.text, /<p class="plain">no wrappers<\/p>/);
        assert.ok(!plain.text.includes("layout-root"), plain.text);
        assert.ok(!plain.text.includes('class="app"'), plain.text);
        const bare = await get(base, "/bare");
        assertOrder(bare.text, [
          '<body class="app"',
          "layout-bare",
          "only my own layout",
        ]);
        assert.ok(
          !bare.text.includes("layout-root"),
          "a _layout may skip inherited ones",
        );
        const custom = await get(base, "/custom/thing-1");
        assert.match(custom.text, /thing-1 via \/custom\/:thing/);
        assert.equal((await get(base, "/override")).res.status, 404);
      },
    );

    await t.step("redirects stay on the site", async () => {
      const plain = await get(base, "/redirect");
      assert.equal(plain.res.status, 302);
      assert.equal(plain.res.headers.get("location"), "/about");
      const sneaky = await get(base, "/redirect?to=//evil.example/x");
      assert.equal(sneaky.res.headers.get("location"), "/evil.example/x");
    });

    await t.step(
      "errors: _404, root _error with HttpError status, nested _error, _500",
      async () => {
        const missing = await get(base, "/items/missing");
        assert.equal(missing.res.status, 404);
        assert.match(missing.text, /Custom 404 - Not Found/);
        assert.match(
          missing.text,
          /layout-items/,
          "rendered inside its folder",
        );
        const nowhere = await get(base, "/no/such/page");
        assert.equal(nowhere.res.status, 404);
        assert.match(nowhere.text, /Custom 404 - Not Found/);
        const boom = await get(base, "/boom");
        assert.equal(boom.res.status, 500);
        assert.match(boom.text, /Root error page: 500/);
        assert.ok(!boom.text.includes("secret detail"));
        const forbidden = await get(base, "/forbidden");
        assert.equal(forbidden.res.status, 403);
        assert.match(forbidden.text, /Root error page: 403/);
        const admin = await get(base, "/admin/broken");
        assert.equal(admin.res.status, 500);
        assert.match(admin.text, /admin error: true/);
        assert.ok(!admin.text.includes("Root error page"));
        const legacy = await get(base, "/legacy/fail");
        assert.equal(legacy.res.status, 500);
        assert.match(legacy.text, /legacy 500 page/);
      },
    );

    await t.step(
      "async page, <Head>, asset() and its year-long cache",
      async () => {
        const { res, text } = await get(base, "/about");
        assert.equal(res.status, 200);
        assert.match(text, /<p class="about">about \/about<\/p>/);
        assert.match(text, /<title>About us<\/title>/);
        assert.ok(
          !text.includes("<title>Fixture app</title>"),
          "Head's title wins",
        );
        assert.match(
          text,
          /<meta name="description" content="About page"\/?>\s*<\/head>/,
        );
        const src = /class="logo" src="([^"]+)"/.exec(text)![1];
        assert.match(src, /^\/logo\.svg\?__frsh_c=[\w-]+$/);
        const logo = await get(base, src);
        assert.equal(logo.res.status, 200);
        assert.equal(
          logo.res.headers.get("cache-control"),
          "public, max-age=31536000, immutable",
        );
        const stale = await get(base, "/logo.svg?__frsh_c=old");
        assert.equal(stale.res.status, 307);
        assert.equal(stale.res.headers.get("location"), "/logo.svg");
        const unversioned = await get(base, "/logo.svg");
        assert.match(
          unversioned.res.headers.get("cache-control")!,
          /must-revalidate/,
        );
      },
    );
  });
});
