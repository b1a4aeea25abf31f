import assert from "node:assert/strict";
import { negotiateResponse } from "./negotiate.ts";
import { queryValue } from "./query_value.ts";

/** What `URLSearchParams` reads, case-insensitively: the reference. */
function reference(url: URL, key: string): string | null {
  for (const [k, v] of url.searchParams) {
    if (k.toLowerCase() === key.toLowerCase()) return v;
  }
  return null;
}

Deno.test("queryValue reads what URLSearchParams reads, escaped or not", () => {
  const queries = [
    "",
    "?",
    "?a",
    "?a=",
    "?=x",
    "?id=abc&negotiateVersion=1",
    "?ID=1&id=2",
    "?&&id=x&",
    "?negotiateversion=",
    "?x=1=2&id=a=b",
    "?id",
    "?a=1&Id=zz",
    "?id=a%20b",
    "?id=a+b",
    "?%69d=q",
    "?id=%zz",
  ];
  for (const query of queries) {
    const url = new URL(`http://127.0.0.1/chart${query}`);
    for (const key of ["id", "negotiateVersion", "a", "x", ""]) {
      assert.equal(
        queryValue(url, key),
        reference(url, key),
        `${key} in ${query}`,
      );
    }
  }
  assert.equal(queryValue(new URL("http://h/?ID=1&id=2"), "id"), "1");
});

Deno.test("negotiateResponse writes what Response.json wrote for each version", async () => {
  const transports = [
    { transport: "WebSockets" as const, transferFormats: ["Text" as const] },
    { transport: "LongPolling" as const, transferFormats: ["Text" as const] },
  ];
  const ids = {
    id: "abcDEF123-_abcDEF123-_",
    token: "tok-_0123456789abcdefgh",
  };
  const cases = [
    [0, false, {
      connectionId: ids.id,
      negotiateVersion: 0,
      availableTransports: transports,
    }],
    [1, false, {
      connectionId: ids.id,
      connectionToken: ids.token,
      negotiateVersion: 1,
      availableTransports: transports,
    }],
    [1, true, {
      connectionId: ids.id,
      connectionToken: ids.token,
      negotiateVersion: 1,
      availableTransports: transports,
      useStatefulReconnect: true,
    }],
  ] as const;
  for (const [version, stateful, body] of cases) {
    const response = negotiateResponse(version, ids, transports, stateful);
    const expected = Response.json(body);
    assert.equal(
      response.headers.get("content-type"),
      expected.headers.get("content-type"),
    );
    assert.equal(await response.text(), await expected.text());
  }
});
