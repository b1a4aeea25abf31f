import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import {
  connectHub,
  mintToken,
  nextMessage,
  postJson,
  startUsersApp,
} from "./helpers/users_fixture.ts";

const ISSUER = "https://id.example/";
const AUDIENCE = "switchboard-tests";

Deno.test("your own provider: JWKS_URL tokens are accepted, built-in accounts are off", async () => {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "p1", alg: "ES256" };
  const jwks = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json({ keys: [jwk] }),
  );
  const app = await startUsersApp({
    JWKS_URL: `http://127.0.0.1:${jwks.addr.port}/.well-known/jwks.json`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
  });
  const providerToken = (sub: string, audience = AUDIENCE) =>
    new SignJWT({ name: sub })
      .setProtectedHeader({ alg: "ES256", kid: "p1" })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setExpirationTime("10m")
      .sign(privateKey);
  const open = [];
  try {
    const erin = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => providerToken("erin"),
    });
    open.push(erin);
    const frank = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => providerToken("frank"),
    });
    open.push(frank);
    const got = nextMessage(erin, "broadcasttouser");
    await frank.invoke("BroadcastToUser", "from frank", "erin");
    assert.equal(await got, "from frank");

    const wrongAudience = await providerToken("erin", "someone-else");
    await assert.rejects(
      connectHub(`${app.url}/chart`, {
        accessTokenFactory: () => wrongAudience,
      }),
      /401/,
    );
    const builtin = await mintToken("erin");
    await assert.rejects(
      connectHub(`${app.url}/chart`, { accessTokenFactory: () => builtin }),
      /401/,
      "HS256 tokens are not the provider's",
    );
    for (const path of ["/api/users", "/api/token", "/api/session"]) {
      const r = await postJson(`${app.url}${path}`, {
        username: "erin",
        password: "password1",
      });
      await r.body?.cancel();
      assert.equal(r.status, 404, path);
    }
  } finally {
    await Promise.all(open.map((c) => c.stop()));
    await app.close();
    await jwks.shutdown();
  }
});
