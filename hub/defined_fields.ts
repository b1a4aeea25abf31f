/**
 * Option objects with their `undefined` fields dropped. Spreading
 * `{ ...defaults, ...given }` would let an explicit `undefined` erase a
 * default; spreading `definedFields(given)` keeps it. One helper for the
 * hub's options, the Redis backplanes' options and the app's throttles.
 *
 * @module
 */

/** `value` without its undefined fields, so spreading it keeps defaults. */
export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
