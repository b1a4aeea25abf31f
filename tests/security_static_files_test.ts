/**
 * Static files never leave `static/`: paths that are URLs of any scheme,
 * traversal in every encoding, separators and NUL, dot-files and symlinks
 * out of the folder. Each payload is sent raw over TCP, so the server sees
 * it exactly as an attacker wrote it.
 */

import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import { rawRequest } from "./helpers/raw_http.ts";
import { serveStatic } from "../web/static_files.ts";

/** Texts that only the files an attacker wants contain. */
const LEAKS = ["root:x:0:0", '"nodeModulesDir"', "[core]", "PATH="];

/** Targets aimed at /etc/passwd, the project's deno.json, .git and env. */
const PAYLOADS = [
  // Absolute URLs, which replace the base when resolved as a URL.
  "/file:/etc/passwd",
  "/file:///etc/passwd",
  "/FILE:/etc/passwd",
  "/File:///etc/passwd",
  "/file:%2Fetc%2Fpasswd",
  "/file%3A/etc/passwd",
  "/file%3a%2f%2f%2fetc%2fpasswd",
  "/FILE%3A%2F%2F%2Fetc%2Fpasswd",
  "/chart/../file:/etc/passwd",
  "/x/..%2Ffile:/etc/passwd",
  "/file:/proc/self/environ",
  "/http://127.0.0.1/etc/passwd",
  "/https:/etc/passwd",
  "/data:text/plain,root:x:0:0",
  "/jar:file:/etc/passwd!/",
  "/c:/windows/win.ini",
  "/C:%5cWindows%5cwin.ini",
  // Traversal, plain and encoded once or twice.
  "/../deno.json",
  "/build/../../deno.json",
  "/..%2fdeno.json",
  "/%2e%2e/deno.json",
  "/%2e%2e%2fdeno.json",
  "/.%2e/deno.json",
  "/%252e%252e/deno.json",
  "/%252e%252e%252fdeno.json",
  "/..%252fdeno.json",
  // Overlong UTF-8 and Unicode look-alike dots.
  "/%c0%ae%c0%ae/deno.json",
  "/%c0%2e%c0%2e/deno.json",
  "/%e0%80%ae%e0%80%ae/deno.json",
  "/%ef%bc%8e%ef%bc%8e/deno.json",
  "/%e2%80%a4%e2%80%a4/deno.json",
  "/%uff0e%uff0e/deno.json",
  // Doubled slashes, backslashes, NUL.
  "//etc/passwd",
  "///etc/passwd",
  "/%2Fetc%2Fpasswd",
  "/..\\deno.json",
  "/%5c..%5cdeno.json",
  "/..%5cdeno.json",
  "/build/..%5c..%5cdeno.json",
  "/\\\\localhost\\etc\\passwd",
  "/styles.css%00/../../deno.json",
  "/%00/etc/passwd",
  "/deno.json%00.css",
  // Suffix cuts that would defeat the build-file allowlist.
  "/build/manifest.json%23.js",
  "/build/manifest.json%3F.js",
  "/build/manifest.json%3fx=.js",
  "/build/..%2fbuild%2fmanifest.json",
  // Dot-files.
  "/.git/config",
  "/%2egit/config",
  "/.env",
];

Deno.test("static files: no payload reads a file outside static/", async (t) => {
  assert.ok(PAYLOADS.length >= 40);
  const server = await startTestServer();
  const port = Number(new URL(server.url).port);
  try {
    await t.step("the folder itself is served", async () => {
      const res = await rawRequest(port, "/styles.css");
      assert.equal(res.status, 200);
    });
    for (const target of PAYLOADS) {
      const res = await rawRequest(port, target);
      assert.ok(
        res.status === 400 || res.status === 404,
        `${target} answered ${res.status}`,
      );
      for (const leak of LEAKS) {
        assert.ok(!res.text.includes(leak), `${target} leaked ${leak}`);
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("static files: a symlink is served only if it stays inside", async () => {
  const outside = await Deno.makeTempDir({ prefix: "switchboard-outside-" });
  const root = await Deno.makeTempDir({ prefix: "switchboard-static-" });
  const secret = `TOP-SECRET-${crypto.randomUUID()}`;
  await Deno.writeTextFile(`${outside}/secret.txt`, secret);
  await Deno.writeTextFile(`${root}/inside.txt`, "inside");
  await Deno.symlink(`${outside}/secret.txt`, `${root}/leak.txt`);
  await Deno.symlink(outside, `${root}/linked`);
  await Deno.symlink(`${root}/inside.txt`, `${root}/alias.txt`);
  const staticDir = new URL(`file://${root}/`);
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) =>
      await serveStatic(req, new URL(req.url), staticDir) ??
        new Response("not found", { status: 404 }),
  );
  try {
    for (const target of ["/leak.txt", "/linked/secret.txt"]) {
      const res = await rawRequest(server.addr.port, target);
      assert.equal(res.status, 404, target);
      assert.ok(!res.text.includes(secret), `${target} leaked the secret`);
    }
    const alias = await rawRequest(server.addr.port, "/alias.txt");
    assert.equal(alias.status, 200);
    assert.ok(alias.text.endsWith("inside"));
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(outside, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});
