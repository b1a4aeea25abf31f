/**
 * Password guessing cannot beat the sign-in budget by sending requests at
 * once: every request spends its attempts before the password is hashed.
 * Real server, real HTTP, real PBKDF2 (at a lower cost than production,
 * still slow enough that concurrent requests overlap the hash).
 */
import assert from "node:assert/strict";
import {
  postAtOnce,
  postJson,
  startUsersApp,
} from "./helpers/users_fixture.ts";

const ENDPOINTS = ["/api/token", "/api/session"] as const;
const CONCURRENT = 50;
/** The default username burst (`defaultAccountLimits.perUsername`). */
const USERNAME_BURST = 10;
/** Shortened from the default 30 s so the test can wait out the window. */
const USERNAME_REFILL_S = 2;

/** Sends one sign-in for alice; its status and Retry-After. */
async function signIn(base: string, endpoint: string, password: string) {
  const [outcome] = await postAtOnce(
    `${base}${endpoint}`,
    1,
    () => ({ username: "alice", password }),
  );
  return outcome;
}

function tally(statuses: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

async function signUp(base: string, username: string): Promise<void> {
  const r = await postJson(`${base}/api/users`, {
    username,
    password: `${username}-password`,
  });
  await r.body?.cancel();
  assert.equal(r.status, 201);
}

for (const endpoint of ENDPOINTS) {
  Deno.test(`${endpoint}: ${CONCURRENT} concurrent wrong passwords get at most the username budget evaluated`, async () => {
    const app = await startUsersApp({
      PBKDF2_ITERATIONS: "100000",
      LOGIN_LIMIT_PER_USERNAME: `${USERNAME_BURST}/${USERNAME_REFILL_S}`,
      LOGIN_LIMIT_PER_ADDRESS: "1000/1", // only the username limit here
    });
    try {
      await signUp(app.url, "alice");
      const started = performance.now();
      const results = await postAtOnce(
        `${app.url}${endpoint}`,
        CONCURRENT,
        (i) => ({ username: "alice", password: `wrong-password-${i}` }),
      );
      const elapsedS = (performance.now() - started) / 1000;
      const counts = tally(results.map((r) => r.status));
      // The documented budget: the burst, plus one per refill period that
      // passed while the requests were in flight.
      const budget = USERNAME_BURST + Math.floor(elapsedS / USERNAME_REFILL_S);
      const evaluated = counts.get(401) ?? 0;
      assert.ok(evaluated >= 1, `some were evaluated: ${[...counts]}`);
      assert.ok(
        evaluated <= budget,
        `${evaluated} passwords evaluated, budget ${budget}: ${[...counts]}`,
      );
      assert.equal(counts.get(429), CONCURRENT - evaluated, `${[...counts]}`);
      const refused = results.filter((r) => r.status === 429);
      assert.ok(refused.every((r) => r.retryAfter >= 1));

      // After the window the owner gets in.
      const wait = Math.max(...refused.map((r) => r.retryAfter));
      assert.ok(wait <= USERNAME_REFILL_S, `Retry-After ${wait}`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      const right = await signIn(app.url, endpoint, "alice-password");
      assert.equal(right.status, 200);
    } finally {
      await app.close();
    }
  });

  Deno.test(`${endpoint}: a right password gives its attempt back, a wrong one does not`, async () => {
    const app = await startUsersApp({
      PBKDF2_ITERATIONS: "1000",
      LOGIN_LIMIT_PER_USERNAME: "3/600", // no refill during the test
      LOGIN_LIMIT_PER_ADDRESS: "1000/1",
    });
    try {
      await signUp(app.url, "alice");
      const statuses = [];
      for (const password of ["wrong-one", "wrong-two"]) {
        statuses.push((await signIn(app.url, endpoint, password)).status);
      }
      // One attempt left: many right sign-ins in a row all pass.
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await signIn(app.url, endpoint, "alice-password")).status,
        );
      }
      statuses.push((await signIn(app.url, endpoint, "wrong-three")).status);
      // The budget is spent: even the right password waits now.
      statuses.push((await signIn(app.url, endpoint, "alice-password")).status);
      assert.deepEqual(statuses, [401, 401, 200, 200, 200, 200, 200, 401, 429]);
    } finally {
      await app.close();
    }
  });
}

Deno.test("sign-in and sign-up: concurrent requests from one address get at most its budget", async () => {
  const app = await startUsersApp({
    PBKDF2_ITERATIONS: "100000",
    LOGIN_LIMIT_PER_ADDRESS: "5/600",
  });
  try {
    const signIns = await postAtOnce(
      `${app.url}/api/token`,
      CONCURRENT,
      (i) => ({ username: `user-${i}`, password: "wrong-password" }),
    );
    const counts = tally(signIns.map((r) => r.status));
    assert.equal(counts.get(401), 5, `${[...counts]}`);
    assert.equal(counts.get(429), CONCURRENT - 5, `${[...counts]}`);
    // Sign-up spends from the same address budget, which is gone.
    const signUps = await postAtOnce(
      `${app.url}/api/users`,
      10,
      (i) => ({ username: `new-${i}`, password: "new-password" }),
    );
    assert.deepEqual(signUps.map((r) => r.status), Array(10).fill(429));
  } finally {
    await app.close();
  }
});

Deno.test("sign-up: concurrent account creation from one address gets at most its budget", async () => {
  const app = await startUsersApp({
    PBKDF2_ITERATIONS: "100000",
    LOGIN_LIMIT_PER_ADDRESS: "5/600",
  });
  try {
    const created = await postAtOnce(
      `${app.url}/api/users`,
      CONCURRENT,
      (i) => ({ username: `user-${i}`, password: "new-password" }),
    );
    const counts = tally(created.map((r) => r.status));
    assert.equal(counts.get(201), 5, `${[...counts]}`);
    assert.equal(counts.get(429), CONCURRENT - 5, `${[...counts]}`);
  } finally {
    await app.close();
  }
});
