import assert from "node:assert/strict";
import { compareRoutePaths, pathToPattern, Router } from "./router.ts";

Deno.test("route files map to Fresh 2 URL patterns", () => {
  assert.equal(pathToPattern("index"), "/");
  assert.equal(pathToPattern("about"), "/about");
  assert.equal(pathToPattern("users/index"), "/users");
  assert.equal(pathToPattern("users/[id]"), "/users/:id");
  assert.equal(pathToPattern("docs/[...rest]"), "/docs/:rest*");
  assert.equal(pathToPattern("(marketing)/pricing"), "/pricing");
  assert.equal(pathToPattern("(marketing)/index"), "/");
  assert.equal(pathToPattern("docs/[[page]]"), "/docs{/:page}?");
  assert.equal(pathToPattern("[[lang]]"), "/{:lang}?");
  assert.equal(pathToPattern("posts/[id]-[slug]"), "/posts/{:id}-{:slug}");
  assert.throws(() => pathToPattern("[...rest]/x"), /must be last/);
  assert.throws(() => pathToPattern("a[b]]"), /not a valid segment/);
  assert.throws(() => pathToPattern("[a][b]"), /not a valid segment/);
});

Deno.test("route files sort most specific first", () => {
  const files = [
    "[...all]",
    "users/[id]",
    "users/new",
    "docs/[[page]]",
    "docs/intro",
    "(shop)/cart",
    "index",
  ];
  assert.deepEqual([...files].sort(compareRoutePaths), [
    "(shop)/cart",
    "docs/intro",
    "docs/[[page]]",
    "users/new",
    "users/[id]",
    "index",
    "[...all]",
  ]);
});

Deno.test("the router: exact paths first, params decoded, 405 knows Allow", () => {
  const router = new Router<string>();
  router.add("GET", "/users/new", "new");
  router.add("GET", "/users/:id", "user");
  router.add("POST", "/users/:id", "update");
  router.add("GET", "/files/:rest*", "files");
  router.add("GET", "/docs{/:page}?", "docs");
  assert.equal(router.match("GET", "/users/new").item, "new");
  assert.equal(router.match("GET", "/users/new/").item, "new");
  const user = router.match("GET", "/users/a%20b");
  assert.deepEqual([user.item, user.pattern, user.params], [
    "user",
    "/users/:id",
    { id: "a b" },
  ]);
  assert.equal(router.match("HEAD", "/users/x").item, "user");
  const del = router.match("DELETE", "/users/x");
  assert.equal(del.item, null);
  assert.deepEqual(del.allowed, ["GET", "HEAD", "POST"]);
  assert.deepEqual(router.match("GET", "/files/a/b").params, { rest: "a/b" });
  assert.deepEqual(router.match("GET", "/files").params, { rest: "" });
  assert.deepEqual(router.match("GET", "/docs").params, { page: "" });
  assert.deepEqual(router.match("GET", "/docs/x").params, { page: "x" });
  assert.equal(router.match("GET", "/nope").pattern, null);
  assert.deepEqual(router.match("GET", "/users/%E0%A4%A").params, {
    id: "%E0%A4%A",
  });
});

Deno.test("the router's prefix check never changes what a dynamic route matches", () => {
  const patterns = [
    "/api/:path*",
    "/docs{/:page}?",
    "/posts/{:id}-{:slug}",
    "/{:lang}?",
    "/users/:id",
  ];
  const paths = [
    "/",
    "/api",
    "/api/",
    "/api/x/y",
    "/apix",
    "/ap",
    "/docs",
    "/docs/intro",
    "/docsx",
    "/posts/1-a",
    "/posts",
    "/en",
    "/users/7",
    "/users",
    "/chart/negotiate",
  ];
  for (const pattern of patterns) {
    const router = new Router<string>();
    router.add("GET", pattern, "item");
    const direct = new URLPattern({ pathname: pattern });
    for (const path of paths) {
      const expected = direct.exec({ pathname: path }) !== null;
      assert.equal(
        router.match("GET", path).item !== null,
        expected,
        `${pattern} on ${path}`,
      );
    }
  }
});
