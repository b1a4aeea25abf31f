import assert from "node:assert/strict";
import {
  comparePatterns,
  matchPattern,
  patternFromFile,
} from "./route_path.ts";

Deno.test("file paths map to Fresh-style patterns", () => {
  assert.equal(patternFromFile("index.tsx").source, "/");
  assert.equal(patternFromFile("about.tsx").source, "/about");
  assert.equal(patternFromFile("users/index.tsx").source, "/users");
  assert.equal(patternFromFile("users/[id].tsx").source, "/users/:id");
  assert.equal(patternFromFile("docs/[...rest].tsx").source, "/docs/:rest*");
  assert.equal(patternFromFile("api/token.ts").source, "/api/token");
  assert.equal(patternFromFile("(marketing)/pricing.tsx").source, "/pricing");
  assert.throws(() => patternFromFile("[...rest]/x.tsx"), /must be the last/);
  assert.throws(() => patternFromFile("a[b].tsx"), /one \[param\]/);
});

Deno.test("patterns match paths and decode params", () => {
  const user = patternFromFile("users/[id].tsx");
  assert.deepEqual(matchPattern(user, "/users/ada%20l"), { id: "ada l" });
  assert.deepEqual(matchPattern(user, "/users/ada/"), { id: "ada" });
  assert.equal(matchPattern(user, "/users"), null);
  assert.equal(matchPattern(user, "/users/a/b"), null);
  const rest = patternFromFile("docs/[...rest].tsx");
  assert.deepEqual(matchPattern(rest, "/docs/a/b"), { rest: "a/b" });
  assert.deepEqual(matchPattern(rest, "/docs"), { rest: "" });
  assert.deepEqual(matchPattern(patternFromFile("index.tsx"), "/"), {});
  assert.equal(matchPattern(patternFromFile("index.tsx"), "/x"), null);
});

Deno.test("more specific patterns sort first", () => {
  const files = [
    "[...rest].tsx",
    "users/[id].tsx",
    "users/new.tsx",
    "index.tsx",
    "[slug].tsx",
  ];
  const sorted = files.map(patternFromFile).sort(comparePatterns).map((p) =>
    p.source
  );
  // "/" cannot overlap "/:slug"; what matters is rest last, static before param.
  assert.deepEqual(sorted, [
    "/users/new",
    "/users/:id",
    "/:slug",
    "/",
    "/:rest*",
  ]);
});
