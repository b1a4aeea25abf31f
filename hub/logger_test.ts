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
