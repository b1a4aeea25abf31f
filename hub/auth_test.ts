import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { jwtAuthenticator, readCookie, tokenFromRequest } from "./auth.ts";
import type { LogFields, Logger } from "./logger.ts";

const SECRET = new TextEncoder().encode("s".repeat(32));
const OTHER_SECRET = new TextEncoder().encode("o".repeat(32));

function sign(
  key: Uint8Array | CryptoKey,
  claims: { sub?: string; exp?: number; iss?: string; aud?: string } = {},
  alg = "HS256",
  kid?: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 600);
  if (claims.sub !== "") jwt.setSubject(claims.sub ?? "alice");
  if (claims.iss) jwt.setIssuer(claims.iss);
  if (claims.aud) jwt.setAudience(claims.aud);
  return jwt.sign(key);
}

function req(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1/chart${path}`, { headers });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log(level: string, event: string, fields: LogFields = {}) {
      lines.push(JSON.stringify({ level, event, ...fields }));
    },
  };
}

Deno.test("auth: bearer header, query and cookie tokens give the sub as user id", async () => {
  const auth = jwtAuthenticator({ secret: SECRET, cookieName: "sid" });
  const token = await sign(SECRET);
  for (
    const request of [
      req("/negotiate", { authorization: `Bearer ${token}` }),
      req(`?id=x&access_token=${token}`),
      req("", { cookie: `a=1; sid=${token}; b=2` }),
    ]
  ) {
    const principal = await auth(request);
    assert.ok(principal, "signed in");
    assert.equal(principal.userId, "alice");
    assert.equal(principal.claims.sub, "alice");
    assert.ok((principal.expiresAt ?? 0) > Date.now());
  }
});

Deno.test("auth: no token is anonymous, cookies are ignored unless named", async () => {
  const token = await sign(SECRET);
  assert.equal(
    await jwtAuthenticator({ secret: SECRET })(req("/negotiate")),
    null,
  );
  assert.equal(
    await jwtAuthenticator({ secret: SECRET })(
      req("", { cookie: `sid=${token}` }),
    ),
    null,
  );
  assert.equal(
    await jwtAuthenticator({ secret: SECRET })(
      req("", { authorization: "Basic eDp5" }),
    ),
    null,
  );
});

Deno.test("auth: bad, expired, foreign-signed, subjectless and unsigned tokens are refused", async () => {
  const logger = recordingLogger();
  const auth = jwtAuthenticator({ secret: SECRET, logger, cookieName: "sid" });
  const past = Math.floor(Date.now() / 1000) - 3600;
  const unsigned = (await sign(SECRET)).split(".").slice(0, 2).join(".") + ".";
  const noneAlg = btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "") +
    "." +
    (await sign(SECRET)).split(".")[1] + ".";
  const tokens = {
    garbage: "not-a-jwt",
    expired: await sign(SECRET, { exp: past }),
    foreign: await sign(OTHER_SECRET),
    noSubject: await sign(SECRET, { sub: "" }),
    unsigned,
    noneAlg,
  };
  for (const [name, token] of Object.entries(tokens)) {
    assert.equal(await auth(req(`?access_token=${token}`)), false, name);
    assert.equal(
      await auth(req("", { authorization: `Bearer ${token}` })),
      false,
      name,
    );
    // A stale cookie must not lock the page out: it is just ignored.
    assert.equal(await auth(req("", { cookie: `sid=${token}` })), null, name);
  }
  assert.equal(await auth(req(`?access_token=${"a".repeat(9000)}`)), false);
  const text = logger.lines.join("\n");
  assert.match(text, /"reason":"expired"/);
  assert.match(text, /"reason":"bad_signature"/);
  for (const token of Object.values(tokens)) {
    if (token.length > 20) assert.ok(!text.includes(token), "no token in logs");
  }
});

Deno.test("auth: a token without exp is refused unless allowed", async () => {
  const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" })
    .setSubject("alice").sign(SECRET);
  const request = req(`?access_token=${token}`);
  assert.equal(await jwtAuthenticator({ secret: SECRET })(request), false);
  const principal = await jwtAuthenticator({
    secret: SECRET,
    requireExpiry: false,
  })(request);
  assert.ok(principal);
  assert.equal(principal.expiresAt, undefined);
});

Deno.test("auth: issuer and audience are checked when given", async () => {
  const auth = jwtAuthenticator({
    secret: SECRET,
    issuer: "me",
    audience: "hub",
  });
  assert.ok(
    await auth(
      req(`?access_token=${await sign(SECRET, { iss: "me", aud: "hub" })}`),
    ),
  );
  assert.equal(
    await auth(
      req(`?access_token=${await sign(SECRET, { iss: "you", aud: "hub" })}`),
    ),
    false,
  );
  assert.equal(
    await auth(
      req(`?access_token=${await sign(SECRET, { iss: "me", aud: "x" })}`),
    ),
    false,
  );
});

Deno.test("auth: misuse throws", () => {
  assert.throws(() => jwtAuthenticator({}), TypeError);
  assert.throws(
    () => jwtAuthenticator({ secret: SECRET, jwksUrl: "http://x/" }),
    TypeError,
  );
  assert.throws(() => jwtAuthenticator({ secret: "short" }), RangeError);
});

Deno.test("auth: token extraction order and cookie parsing", () => {
  const request = req("?access_token=q", {
    authorization: "Bearer h",
    cookie: "sid=c",
  });
  assert.equal(tokenFromRequest(request, { cookieName: "sid" }), "h");
  assert.equal(
    tokenFromRequest(req("?access_token=", { cookie: "sid=c" }), {
      cookieName: "sid",
    }),
    "c",
  );
  assert.equal(readCookie("a=1;sid=;b=2", "sid"), null);
  assert.equal(readCookie("xsid=1; sid=2", "sid"), "2");
  assert.equal(readCookie(null, "sid"), null);
});

Deno.test("auth: a remote JWKS verifies its provider's tokens and nothing else", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: "k1",
    alg: "RS256",
    use: "sig",
  };
  let fetches = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => {
      fetches++;
      return Response.json({ keys: [jwk] });
    },
  );
  try {
    const auth = jwtAuthenticator({
      jwksUrl: `http://127.0.0.1:${server.addr.port}/jwks.json`,
      issuer: "https://id.example/",
      audience: "switchboard",
    });
    const claims = {
      iss: "https://id.example/",
      aud: "switchboard",
      sub: "carol",
    };
    const good = await sign(privateKey, claims, "RS256", "k1");
    const principal = await auth(req(`?access_token=${good}`));
    assert.ok(principal);
    assert.equal(principal.userId, "carol");
    // An HS256 token, even one signed with our own secret, is not the
    // provider's: the algorithm list pins the JWKS to asymmetric keys.
    assert.equal(
      await auth(req(`?access_token=${await sign(SECRET, claims)}`)),
      false,
    );
    const other = await generateKeyPair("RS256");
    assert.equal(
      await auth(
        req(
          `?access_token=${await sign(
            other.privateKey,
            claims,
            "RS256",
            "k1",
          )}`,
        ),
      ),
      false,
    );
    assert.equal(
      await auth(
        req(
          `?access_token=${await sign(
            privateKey,
            { ...claims, aud: "x" },
            "RS256",
            "k1",
          )}`,
        ),
      ),
      false,
    );
    assert.equal(fetches, 1, "the key set is cached");
  } finally {
    await server.shutdown();
  }
});

Deno.test("auth: a query token is found however its key is spelt, and only in the query", () => {
  assert.equal(tokenFromRequest(req("/negotiate?access_token=abc")), "abc");
  assert.equal(
    tokenFromRequest(req("/negotiate?x=1&access%5Ftoken=t%2B1")),
    "t+1",
  );
  assert.equal(tokenFromRequest(req("/negotiate?id=1&access_token=")), null);
  assert.equal(tokenFromRequest(req("/access_token?id=1")), null);
  assert.equal(tokenFromRequest(req("/negotiate")), null);
  assert.equal(
    tokenFromRequest(req("/negotiate?my+key=k"), { queryParam: "my key" }),
    "k",
  );
  assert.equal(
    tokenFromRequest(req("/negotiate?t=k"), { queryParam: "t" }),
    "k",
  );
});

Deno.test("auth: a bearer header that is not one token is refused, never passed over for the query, a cookie or anonymous", async () => {
  const auth = jwtAuthenticator({ secret: SECRET, cookieName: "sid" });
  const alice = await sign(SECRET);
  const bob = await sign(SECRET, { sub: "bob" });
  for (
    const header of [
      "Bearer garbage extra",
      `Bearer ${alice} extra`,
      `Bearer bad, Bearer ${alice}`,
      `bearer ${alice},`,
    ]
  ) {
    const request = req(`?access_token=${bob}`, {
      authorization: header,
      cookie: `sid=${bob}`,
    });
    assert.equal(await auth(request), false, header);
    assert.equal(tokenFromRequest(request, { cookieName: "sid" }), null);
  }
  // Any whitespace after the scheme, and the scheme in any case.
  for (const header of [`Bearer\t${alice}`, `BEARER  ${alice} `]) {
    const principal = await auth(req("", { authorization: header }));
    assert.equal(principal && principal.userId, "alice", header);
  }
  // An empty bearer is absent: the query token counts.
  const fromQuery = await auth(
    req(`?access_token=${bob}`, { authorization: "Bearer " }),
  );
  assert.equal(fromQuery && fromQuery.userId, "bob");
});

Deno.test("auth: the query key is read in any letter case, and given twice it is refused", async () => {
  const auth = jwtAuthenticator({ secret: SECRET });
  const alice = await sign(SECRET);
  const upper = await auth(req(`?id=1&ACCESS_TOKEN=${alice}`));
  assert.equal(upper && upper.userId, "alice");
  for (
    const query of [
      `?access_token=&access_token=${alice}`,
      `?access_token=${alice}&access_token=bad`,
      `?access_token=${alice}&Access_Token=${alice}`,
      `?access_token=${alice}&access%5Ftoken=x`,
    ]
  ) {
    assert.equal(await auth(req(query)), false, query);
  }
});
