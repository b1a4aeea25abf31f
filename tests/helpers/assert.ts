/**
 * `node:assert/strict` under the names Deno tests usually use.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): void {
  if (message === undefined) assert.deepStrictEqual(actual, expected);
  else assert.deepStrictEqual(actual, expected, message);
}

/** Truthiness with a message. */
export function assertOk(value: unknown, message?: string): asserts value {
  if (message === undefined) assert.ok(value);
  else assert.ok(value, message);
}

/** Rejects with an error whose message matches `pattern`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  pattern: RegExp,
): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "expected a rejection");
  assert.match((caught as Error).message, pattern);
  return caught as Error;
}

export { assert };
