import assert from "node:assert/strict";
import { queryValue } from "./negotiate.ts";

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
