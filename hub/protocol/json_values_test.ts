import assert from "node:assert/strict";
import {
  dotnetDate,
  fromBase64,
  stringifyJson,
  toBase64,
} from "./json_values.ts";

Deno.test("dates are written as .NET writes a UTC DateTime", () => {
  assert.equal(
    dotnetDate(new Date(Date.UTC(2000, 0, 1))),
    "2000-01-01T00:00:00Z",
  );
  assert.equal(
    dotnetDate(new Date(Date.UTC(2000, 0, 1, 12, 30, 10))),
    "2000-01-01T12:30:10Z",
  );
  assert.equal(
    dotnetDate(new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 120))),
    "2000-01-01T00:00:00.12Z",
  );
  assert.equal(
    dotnetDate(new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 5))),
    "2000-01-01T00:00:00.005Z",
  );
  assert.equal(dotnetDate(new Date(NaN)), null);
});

Deno.test("bytes are base64 and round-trip through fromBase64", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => i * 7);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.equal(toBase64(new Uint8Array([1, 2, 255])), "AQL/");
  assert.throws(() => fromBase64("not base64!"), SyntaxError);
});

Deno.test("stringifyJson converts nested bytes, dates and typed arrays", () => {
  const value = {
    a: [new Uint8Array([1, 2, 255]), { when: new Date(Date.UTC(2000, 0, 1)) }],
    buf: new Uint8Array([0]).buffer,
    f: new Float64Array([1.5, 2]),
    plain: [1, "x", null],
  };
  assert.equal(
    stringifyJson(value),
    '{"a":["AQL/",{"when":"2000-01-01T00:00:00Z"}],"buf":"AA==",' +
      '"f":[1.5,2],"plain":[1,"x",null]}',
  );
  // Nothing to convert: the same text as JSON.stringify.
  assert.equal(stringifyJson({ n: [1, 2] }), '{"n":[1,2]}');
  assert.equal(stringifyJson(undefined), undefined);
});
