/**
 * What the app bounds itself on the account API (`accounts/account_limits.ts`):
 * body size, body read time and the number of password hashes at once.
 * The socket-level limits (header read time, idle connections) belong to
 * the reverse proxy or platform in front; see docs/security.md.
 */
import assert from "node:assert/strict";
import {
  postAtOnce,
  postJson,
  startUsersApp,
} from "./helpers/users_fixture.ts";

/**
 * Writes a request head declaring `declared` body bytes, then `pieces` of
 * the body `gapMs` apart, and returns the status line's code (0 if the
 * server closed without answering, or gave no answer within 5 s).
 */
async function slowPost(
  base: string,
  declared: number,
  pieces: string[],
  gapMs: number,
): Promise<number> {
  const url = new URL(base);
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  const encoder = new TextEncoder();
  let answered = false;
  const writing = (async () => {
    await conn.write(encoder.encode(
      `POST /api/token HTTP/1.1\r\nHost: ${url.host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
    ));
    for (const piece of pieces) {
      if (answered) return;
      await conn.write(encoder.encode(piece));
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })().catch(() => {}); // the server may close mid-trickle
  const guard = setTimeout(() => conn.close(), 5_000);
  try {
    const buffer = new Uint8Array(1024);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    answered = true;
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    answered = true;
    clearTimeout(guard);
    try {
      conn.close();
    } catch {
      // Closed by the guard.
    }
    await writing;
  }
}

Deno.test("API bodies: a body that stops arriving is answered 408, so is one trickled past the deadline", async () => {
  const app = await startUsersApp({ API_BODY_TIMEOUT_MS: "300" });
  try {
    // Declares 100 bytes, sends 12, then nothing.
    assert.equal(await slowPost(app.url, 100, ['{"username":'], 0), 408);
    // One byte every 100 ms: each arrives in time, the whole body does not
    // (the deadline is for the body, not per chunk).
    const trickle = Array.from({ length: 60 }, () => " ");
    assert.equal(await slowPost(app.url, 60, trickle, 100), 408);
    // A complete body within the deadline is read as usual.
    const body = JSON.stringify({ username: "alice", password: "password1" });
    assert.equal(await slowPost(app.url, body.length, [body], 0), 401);
  } finally {
    await app.close();
  }
});

Deno.test("API bodies: a chunked body past the size cap is answered 413 without a Content-Length", async () => {
  const app = await startUsersApp();
  try {
    const chunk = new TextEncoder().encode(" ".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 64 KiB in 1 KiB chunks, far past the 4 KiB cap.
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${app.url}/api/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await response.body?.cancel();
    assert.equal(response.status, 413);
  } finally {
    await app.close();
  }
});

Deno.test("password hashes: past the running and queued caps, sign-ins are answered 503 and nothing else breaks", async () => {
  const app = await startUsersApp({
    // Slow enough that all requests are in flight while one hash runs.
    PBKDF2_ITERATIONS: "1000000",
    MAX_CONCURRENT_HASHES: "1",
    MAX_QUEUED_HASHES: "2",
    LOGIN_LIMIT_PER_ADDRESS: "1000/1",
  });
  try {
    const created = await postJson(`${app.url}/api/users`, {
      username: "alice",
      password: "alice-password",
    });
    await created.body?.cancel();
    assert.equal(created.status, 201);
    const results = await postAtOnce(
      `${app.url}/api/token`,
      30,
      (i) => ({ username: `nobody-${i}`, password: "wrong-password" }),
    );
    const statuses = results.map((r) => r.status);
    const busy = results.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, `some refused as busy: ${statuses}`);
    assert.ok(busy.every((r) => r.retryAfter === 1));
    assert.ok(
      statuses.filter((s) => s === 401).length >= 3,
      `the running and queued ones were checked: ${statuses}`,
    );
    assert.ok(statuses.every((s) => s === 401 || s === 503), `${statuses}`);
    // A busy refusal is not a guess: alice's budget is untouched, and the
    // gate is free again.
    const right = await postJson(`${app.url}/api/token`, {
      username: "alice",
      password: "alice-password",
    });
    await right.body?.cancel();
    assert.equal(right.status, 200);
  } finally {
    await app.close();
  }
});

Deno.test("account limits: malformed limit settings stop the server from starting, naming the variable", async () => {
  for (
    const [name, value] of [
      ["LOGIN_LIMIT_PER_USERNAME", "ten"],
      ["LOGIN_LIMIT_PER_ADDRESS", "0/2"],
      ["LOGIN_LIMIT_PER_ADDRESS", "5/0"],
      ["MAX_CONCURRENT_HASHES", "0"],
      ["MAX_QUEUED_HASHES", "-1"],
      ["API_BODY_TIMEOUT_MS", "1.5"],
    ]
  ) {
    await assert.rejects(
      startUsersApp({ [name]: value }),
      (error: Error) =>
        error instanceof RangeError && error.message.includes(name),
      `${name}=${value}`,
    );
  }
});
