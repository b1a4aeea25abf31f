import assert from "node:assert/strict";
import {
  hashPassword,
  storedIterations,
  verifyPassword,
} from "../accounts/password_hash.ts";
import { Accounts, parseCredentials } from "../accounts/accounts.ts";

const FAST = 1_000; // tests do not need OWASP's cost

Deno.test("password hash: verifies the right password only", async () => {
  const stored = await hashPassword("correct horse", FAST);
  assert.equal(await verifyPassword("correct horse", stored), true);
  assert.equal(await verifyPassword("correct horsf", stored), false);
  assert.equal(storedIterations(stored), FAST);
});

Deno.test("password hash: salts each hash", async () => {
  const a = await hashPassword("same password", FAST);
  const b = await hashPassword("same password", FAST);
  assert.notEqual(a, b);
  assert.ok(!a.includes("same password"));
});

Deno.test("password hash: malformed or hostile stored values never match", async () => {
  for (
    const stored of [
      "",
      "plain",
      "md5$1$AAAA$AAAA",
      "pbkdf2-sha256$0$AAAA$AAAA",
      "pbkdf2-sha256$999999999999$AAAA$" + "A".repeat(43) + "=",
      "pbkdf2-sha256$1000$!!$!!",
    ]
  ) {
    assert.equal(await verifyPassword("whatever1", stored), false, stored);
  }
});

Deno.test("password hash: default is OWASP's 600,000 iterations", async () => {
  assert.equal(storedIterations(await hashPassword("password1")), 600_000);
});

Deno.test("credentials: shape rules of POST /api/users", () => {
  assert.deepEqual(
    parseCredentials({ username: "alice", password: "12345678" }),
    {
      username: "alice",
      password: "12345678",
    },
  );
  const bad: unknown[] = [
    null,
    "alice",
    [],
    { username: "alice" },
    { username: 1, password: "12345678" },
    { username: "al", password: "12345678" },
    { username: "a".repeat(33), password: "12345678" },
    { username: "Alice", password: "12345678" },
    { username: "al ice", password: "12345678" },
    { username: "alice", password: "1234567" },
    { username: "alice", password: "x".repeat(1025) },
  ];
  for (const body of bad) {
    assert.equal(typeof parseCredentials(body), "string", JSON.stringify(body));
  }
  assert.equal(
    typeof parseCredentials({ username: "a.b_c-9", password: "12345678" }),
    "object",
  );
});

Deno.test("accounts: create, taken, verify, unknown user", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const accounts = new Accounts(kv, { iterations: FAST });
    const alice = { username: "alice", password: "alice-password" };
    assert.equal(await accounts.create(alice), "created");
    assert.equal(
      await accounts.create({ ...alice, password: "other-pass" }),
      "taken",
    );
    assert.equal(await accounts.verify(alice), true);
    assert.equal(
      await accounts.verify({ ...alice, password: "wrong-pass" }),
      false,
    );
    assert.equal(
      await accounts.verify({ username: "nobody", password: "alice-password" }),
      false,
    );
    assert.equal(await accounts.exists("alice"), true);
    assert.equal(await accounts.exists("nobody"), false);
  } finally {
    kv.close();
  }
});

Deno.test("accounts: concurrent sign-ups of one name make one account", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const accounts = new Accounts(kv, { iterations: FAST });
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          accounts.create({ username: "race", password: `password-${i}` }),
      ),
    );
    assert.equal(results.filter((r) => r === "created").length, 1);
    assert.equal(results.filter((r) => r === "taken").length, 7);
  } finally {
    kv.close();
  }
});

Deno.test("accounts: the cap refuses sign-ups beyond maxAccounts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const accounts = new Accounts(kv, { iterations: FAST, maxAccounts: 2 });
    assert.equal(
      await accounts.create({ username: "one", password: "password1" }),
      "created",
    );
    assert.equal(
      await accounts.create({ username: "two", password: "password2" }),
      "created",
    );
    assert.equal(
      await accounts.create({ username: "three", password: "password3" }),
      "full",
    );
  } finally {
    kv.close();
  }
});

Deno.test("accounts: an old hash is upgraded to the current cost on sign-in", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const bob = { username: "bob", password: "bob-password" };
    await new Accounts(kv, { iterations: FAST }).create(bob);
    const stronger = new Accounts(kv, { iterations: FAST * 2 });
    assert.equal(await stronger.verify(bob), true);
    const entry = await kv.get<{ passwordHash: string }>([
      "switchboard",
      "users",
      "bob",
    ]);
    assert.equal(storedIterations(entry.value!.passwordHash), FAST * 2);
    assert.equal(await stronger.verify(bob), true);
  } finally {
    kv.close();
  }
});
