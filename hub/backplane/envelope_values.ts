/**
 * JSON for backplane envelopes that keeps bytes and dates: a message sent
 * to another process must reach its clients exactly as a local one does
 * (MessagePack clients get bin and timestamps, JSON clients .NET's text),
 * so `Uint8Array` and `Date` travel tagged and are rebuilt on arrival.
 *
 * Tags are one-key objects whose key starts with U+0000, which no app
 * data uses: `{"\u0000b":"<base64>"}` for bytes, `{"\u0000d":<epoch ms>}`
 * for a date. Other typed arrays travel as plain arrays. Pure.
 *
 * @module
 */

import {
  fromBase64,
  needsConversion,
  toBase64,
} from "../protocol/json_values.ts";

const BYTES = "\u0000b";
const DATE = "\u0000d";
/** How a tag key looks inside JSON text (U+0000 is always escaped). */
const TAG_IN_TEXT = "\\u0000";

/** `JSON.stringify` that tags bytes and dates. */
export function stringifyTagged(value: unknown): string {
  return needsConversion(value, 0)
    ? JSON.stringify(value, tagger)
    : JSON.stringify(value);
}

/** `JSON.parse` that rebuilds tagged bytes and dates; throws as it does. */
export function parseTagged(text: string): unknown {
  return text.includes(TAG_IN_TEXT)
    ? JSON.parse(text, untagger)
    : JSON.parse(text);
}

function tagger(this: unknown, key: string, value: unknown): unknown {
  // A Date's toJSON has run already: read the original from the holder.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Date) return { [DATE]: original.getTime() };
  if (original instanceof Uint8Array) return { [BYTES]: toBase64(original) };
  if (original instanceof ArrayBuffer) {
    return { [BYTES]: toBase64(new Uint8Array(original)) };
  }
  if (ArrayBuffer.isView(original) && !(original instanceof DataView)) {
    return Array.from(
      original as unknown as ArrayLike<number | bigint>,
      Number,
    );
  }
  return value;
}

function untagger(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const tagged = (value as Record<string, unknown>)[keys[0]];
  if (keys[0] === BYTES && typeof tagged === "string") {
    return fromBase64(tagged);
  }
  if (keys[0] === DATE && typeof tagged === "number") return new Date(tagged);
  return value;
}
