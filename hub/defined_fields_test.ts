import assert from "node:assert/strict";
import { definedFields } from "./defined_fields.ts";

Deno.test("definedFields: drops undefined, keeps null, 0, false and ''", () => {
  const given = { a: undefined, b: null, c: 0, d: false, e: "" };
  assert.deepEqual(definedFields(given), { b: null, c: 0, d: false, e: "" });
  const defaults = { a: 1, c: 2 };
  assert.deepEqual({ ...defaults, ...definedFields(given) }, {
    a: 1,
    b: null,
    c: 0,
    d: false,
    e: "",
  });
});
