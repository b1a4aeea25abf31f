import assert from "node:assert/strict";
import { redact, redactText } from "./logger.ts";

Deno.test("logger: secret keys and tokens inside text are redacted", () => {
  const out = redact({
    access_token: "eyJabc",
    password: "hunter22",
    cookie: "sid=1",
    url: "/chart?id=x&access_token=eyJhbGci.secret.sig",
    note: "Authorization: Bearer eyJxyz",
    count: 3,
  });
  assert.equal(out.access_token, "[redacted]");
  assert.equal(out.password, "[redacted]");
  assert.equal(out.cookie, "[redacted]");
  assert.equal(out.url, "/chart?id=x&access_token=[redacted]");
  assert.equal(out.note, "Authorization: Bearer [redacted]");
  assert.equal(out.count, 3);
  assert.equal(
    redactText("Cookie: session=abc; x=y"),
    "Cookie: [redacted]; x=y",
  );
});

Deno.test("redaction: a query token in any letter case or with an escaped key is scrubbed", () => {
  assert.equal(
    redactText("Invalid URL: 'http://[::zz/chart?ACCESS_TOKEN=eyJ.a.b'"),
    "Invalid URL: 'http://[::zz/chart?ACCESS_TOKEN=[redacted]'",
  );
  assert.equal(
    redactText("/chart?x=1&access%5Ftoken=eyJ.a.b&id=2"),
    "/chart?x=1&access%5Ftoken=[redacted]&id=2",
  );
  assert.equal(redactText("BEARER eyJ.a.b"), "BEARER [redacted]");
});
