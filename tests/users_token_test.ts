import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import {
  BUILTIN_AUDIENCE,
  BUILTIN_ISSUER,
  TokenIssuer,
} from "../accounts/token_issuer.ts";
import { jwtAuthenticator } from "../hub/auth.ts";

Deno.test("token issuer: sub is the username, the hub's verifier accepts it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const issuer = await TokenIssuer.open(kv, { ttlSeconds: 120 });
    const body = await issuer.issue("alice");
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 120);
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.sub, "alice");
    assert.equal(claims.exp! - claims.iat!, 120);
    const auth = jwtAuthenticator({
      secret: issuer.secret,
      issuer: BUILTIN_ISSUER,
      audience: BUILTIN_AUDIENCE,
    });
    const principal = await auth(
      new Request(`http://h/chart?access_token=${body.access_token}`),
    );
    assert.ok(principal);
    assert.equal(principal.userId, "alice");
  } finally {
    kv.close();
  }
});

Deno.test("token issuer: a generated secret is kept in KV and shared by every process", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const [a, b] = await Promise.all([
      TokenIssuer.open(kv),
      TokenIssuer.open(kv),
    ]);
    const c = await TokenIssuer.open(kv);
    assert.equal(a.secret.length, 32);
    assert.deepEqual(a.secret, b.secret);
    assert.deepEqual(a.secret, c.secret);
  } finally {
    kv.close();
  }
});

Deno.test("token issuer: JWT_SECRET wins over the stored one and must be long enough", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const secret = "x".repeat(40);
    const issuer = await TokenIssuer.open(kv, { secret });
    assert.deepEqual(issuer.secret, new TextEncoder().encode(secret));
    await assert.rejects(TokenIssuer.open(kv, { secret: "short" }), RangeError);
    await assert.rejects(TokenIssuer.open(kv, { ttlSeconds: 0 }), RangeError);
  } finally {
    kv.close();
  }
});
