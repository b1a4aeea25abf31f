/**
 * Island props to a JSON-safe tree, on the server.
 *
 * Plain JSON cannot carry Date, Map, Set, URL, Uint8Array, signals, `undefined`
 * or non-finite numbers, so those become tagged objects `{"$t": kind, "v": …}`
 * that `revive()` (web/revive.ts) turns back into values in the browser. A
 * plain object that happens to own a `$t` key is wrapped as `{"$t": "Object"}`
 * so the two can never be confused. The value is walked by hand rather than
 * with a `JSON.stringify` replacer because a replacer sees signals and Dates
 * already converted.
 *
 * @module
 */

import { isValidElement } from "preact";

/** The tag key of encoded special values. */
export const TAG = "$t";

/** Deepest nesting accepted; deeper props are almost surely a mistake. */
export const MAX_DEPTH = 64;

const SIGNAL_BRAND = Symbol.for("preact-signals");

/** A JSON value as produced by `encode`. */
export type Encoded =
  | null
  | boolean
  | number
  | string
  | Encoded[]
  | { [key: string]: Encoded };

/**
 * Encodes `value` into a JSON-safe tree.
 *
 * Throws a `TypeError` naming the path (e.g. `props.onClick`) for values that
 * cannot reach the browser: functions, symbols, JSX, class instances and
 * circular references.
 *
 * @example
 * ```ts
 * encode({ when: new Date(0) }, "props"); // { when: { $t: "Date", v: 0 } }
 * ```
 */
export function encode(value: unknown, path = "value"): Encoded {
  return walk(value, path, new Set(), 0);
}

/**
 * `JSON.stringify` made safe to embed inside an HTML `<script>` element:
 * `<` is escaped so a string holding `</script>` cannot end the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function walk(
  value: unknown,
  path: string,
  seen: Set<object>,
  depth: number,
): Encoded {
  if (depth > MAX_DEPTH) {
    throw new RangeError(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return encodeNumber(value);
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() };
    case "function":
      throw new TypeError(
        `${path} is a function; functions cannot be sent to the browser, ` +
          "so pass data and define the function inside the island",
      );
    case "symbol":
      throw new TypeError(`${path} is a symbol, which cannot be serialized`);
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) {
    throw new TypeError(`${path} is a circular reference`);
  }
  seen.add(object);
  try {
    return walkObject(object, path, seen, depth + 1);
  } finally {
    seen.delete(object);
  }
}

function encodeNumber(value: number): Encoded {
  if (Number.isFinite(value) && !Object.is(value, -0)) return value;
  return { [TAG]: "number", v: Object.is(value, -0) ? "-0" : String(value) };
}

function walkObject(
  object: object,
  path: string,
  seen: Set<object>,
  depth: number,
): Encoded {
  const sub = (v: unknown, p: string) => walk(v, p, seen, depth);
  if (Array.isArray(object)) {
    return Array.from(object, (v, i) => sub(v, `${path}[${i}]`));
  }
  if (isSignal(object)) {
    return { [TAG]: "Signal", v: sub(object.peek(), `${path}.value`) };
  }
  if (object instanceof Date) {
    const time = object.getTime();
    return { [TAG]: "Date", v: Number.isNaN(time) ? null : time };
  }
  if (object instanceof URL) return { [TAG]: "URL", v: object.href };
  if (object instanceof Uint8Array) {
    return { [TAG]: "Uint8Array", v: toBase64(object) };
  }
  if (object instanceof Map) {
    const entries = [...object].map(([k, v], i) => [
      sub(k, `${path}.key[${i}]`),
      sub(v, `${path}.get(${i})`),
    ]);
    return { [TAG]: "Map", v: entries };
  }
  if (object instanceof Set) {
    return {
      [TAG]: "Set",
      v: [...object].map((v, i) => sub(v, `${path}[${i}]`)),
    };
  }
  if (isValidElement(object)) {
    throw new TypeError(
      `${path} is JSX; island props cannot carry elements, pass data instead`,
    );
  }
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const name = (object as { constructor?: { name?: string } }).constructor
      ?.name ?? "unknown";
    throw new TypeError(
      `${path} is a ${name} instance; only plain objects, arrays, Date, Map, ` +
        "Set, URL, Uint8Array and signals can be sent to the browser",
    );
  }
  const out: Record<string, Encoded> = {};
  for (const [key, v] of Object.entries(object)) {
    out[key] = sub(v, `${path}.${key}`);
  }
  return TAG in out ? { [TAG]: "Object", v: out } : out;
}

interface SignalLike {
  peek(): unknown;
}

function isSignal(object: object): object is SignalLike {
  // The brand survives two copies of @preact/signals where instanceof would not.
  return (object as { brand?: unknown }).brand === SIGNAL_BRAND &&
    typeof (object as { peek?: unknown }).peek === "function";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
