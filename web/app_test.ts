import assert from "node:assert/strict";
import { App, csrf, HttpError, trailingSlashes } from "./mod.ts";
import type { WebLogger } from "./logger.ts";

const quiet: WebLogger = { log() {} };

function app<State = unknown>(basePath?: string): App<State> {
  // No fsRoutes(): nothing is built or read from the root.
  return new App<State>({ root: ".", basePath, logger: quiet });
}

async function call(
  handler: (req: Request) => Promise<Response>,
  path: string,
  method = "GET",
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await handler(new Request(`http://x.test${path}`, { method }));
  return { status: res.status, text: await res.text(), headers: res.headers };
}

Deno.test("App: programmatic routes, middleware order, default answers", async () => {
  const seen: string[] = [];
  const handler = app<{ who: string }>()
    .use(async (ctx) => {
      seen.push("outer");
      ctx.state.who = "ada";
      const res = await ctx.next();
      seen.push("outer-after");
      return res;
    })
    .use("/admin", (ctx) => {
      seen.push("admin");
      return ctx.next();
    })
    .get(
      "/hi/:name",
      (ctx) => new Response(`${ctx.params.name} ${ctx.state.who}`),
    )
    .post("/hi/:name", () => new Response("posted", { status: 201 }))
    .get("/admin/panel", () => new Response("panel"))
    .get("/teapot", () => {
      throw new HttpError(418, "Short and stout");
    })
    .get("/fail", () => {
      throw new Error("hidden detail");
    })
    .handler();
  assert.deepEqual(
    await call(handler, "/hi/bob").then((r) => r.text),
    "bob ada",
  );
  assert.deepEqual(seen, ["outer", "outer-after"]);
  seen.length = 0;
  assert.equal((await call(handler, "/admin/panel")).text, "panel");
  assert.deepEqual(seen, ["outer", "admin", "outer-after"]);
  assert.equal((await call(handler, "/hi/bob", "POST")).status, 201);
  const wrong = await call(handler, "/hi/bob", "DELETE");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, HEAD, POST");
  const options = await call(handler, "/hi/bob", "OPTIONS");
  assert.equal(options.status, 204);
  assert.equal(options.headers.get("allow"), "GET, HEAD, POST");
  const missing = await call(handler, "/nope");
  assert.deepEqual([missing.status, missing.text], [404, "Not Found"]);
  const teapot = await call(handler, "/teapot");
  assert.deepEqual([teapot.status, teapot.text], [418, "Short and stout"]);
  const fail = await call(handler, "/fail");
  assert.deepEqual([fail.status, fail.text], [500, "Internal server error"]);
  const head = await call(handler, "/hi/bob", "HEAD");
  assert.deepEqual([head.status, head.text], [200, ""]);
});

Deno.test("App: basePath, trailingSlashes, a middleware that returns nothing", async () => {
  const handler = app("/app")
    .use(trailingSlashes("never"))
    .get("/about", () => new Response("about"))
    .get("/broken", (() => undefined) as unknown as () => Response)
    .get("/go", (ctx) => ctx.redirect(ctx.url.searchParams.get("to")!))
    .handler();
  assert.equal((await call(handler, "/app/about")).text, "about");
  assert.equal((await call(handler, "/about")).status, 404);
  const slashed = await call(handler, "/app/about/");
  assert.equal(slashed.status, 302);
  assert.equal(slashed.headers.get("location"), "/app/about");
  assert.equal((await call(handler, "/app/broken")).status, 500);
  for (const to of ["//evil.test/x", "/\\evil.test/x", "/%5Cevil.test/x"]) {
    const res = await call(handler, `/app/go?to=${encodeURIComponent(to)}`);
    assert.equal(res.status, 302);
    assert.match(res.headers.get("location")!, /^\/(evil|%5Cevil)/, to);
  }
});

Deno.test("csrf(): cross-site unsafe requests get 403, same-site and non-browser pass", async () => {
  const handler = app()
    .use(csrf({ origin: ["https://partner.test"] }))
    .post("/act", () => new Response("done"))
    .get("/act", () => new Response("read"))
    .handler();
  const send = async (headers: Record<string, string>, method = "POST") =>
    (await handler(
      new Request("http://x.test/act", { method, headers }),
    )).status;
  assert.equal(await send({}), 200, "no browser headers");
  assert.equal(await send({ "sec-fetch-site": "same-origin" }), 200);
  assert.equal(await send({ "sec-fetch-site": "cross-site" }), 403);
  assert.equal(
    await send({
      "sec-fetch-site": "cross-site",
      origin: "https://partner.test",
    }),
    200,
  );
  assert.equal(await send({ origin: "https://evil.test" }), 403);
  assert.equal(await send({ origin: "https://evil.test" }, "GET"), 200);
});
