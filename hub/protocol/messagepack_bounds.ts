/**
 * A walk over one MessagePack record's headers, run before the record is
 * decoded, that refuses any array, map, string, binary or extension that
 * declares more than the record's remaining bytes could hold.
 *
 * `@msgpack/msgpack` allocates an array of the declared length before it
 * reads the elements. A 12 KB record of nested `array16` headers, each
 * declaring 65,000 elements, would make it allocate gigabytes; after this
 * walk every declared element has been seen, so what the decoder allocates
 * is bounded by the record's size. The walk keeps one counter (values still
 * to read), not a stack, so deep nesting costs nothing extra.
 *
 * @module
 */

import { ProtocolError } from "./messages.ts";

/** What one header byte says: bytes to skip, and child values it adds. */
interface Header {
  /** Bytes after the type byte holding a length, count or value. */
  readonly head: number;
  /** Fixed payload bytes after `head` (numbers, fixext). */
  readonly fixed: number;
  /** What the length read from `head` counts: payload bytes or values. */
  readonly counts: "bytes" | "values" | "pairs" | "none";
}

const SCALAR: Header = { head: 0, fixed: 0, counts: "none" };

function fixedSize(fixed: number): Header {
  return { head: 0, fixed, counts: "none" };
}

/** Headers of the type bytes 0xc0-0xdf, in order; 0xc1 is never used. */
const TYPED: readonly (Header | null)[] = [
  SCALAR, // c0 nil
  null, // c1 never used
  SCALAR, // c2 false
  SCALAR, // c3 true
  { head: 1, fixed: 0, counts: "bytes" }, // c4 bin8
  { head: 2, fixed: 0, counts: "bytes" }, // c5 bin16
  { head: 4, fixed: 0, counts: "bytes" }, // c6 bin32
  { head: 1, fixed: 1, counts: "bytes" }, // c7 ext8 (+ type byte)
  { head: 2, fixed: 1, counts: "bytes" }, // c8 ext16
  { head: 4, fixed: 1, counts: "bytes" }, // c9 ext32
  fixedSize(4), // ca float32
  fixedSize(8), // cb float64
  fixedSize(1), // cc uint8
  fixedSize(2), // cd uint16
  fixedSize(4), // ce uint32
  fixedSize(8), // cf uint64
  fixedSize(1), // d0 int8
  fixedSize(2), // d1 int16
  fixedSize(4), // d2 int32
  fixedSize(8), // d3 int64
  fixedSize(2), // d4 fixext1 (type byte + 1)
  fixedSize(3), // d5 fixext2
  fixedSize(5), // d6 fixext4
  fixedSize(9), // d7 fixext8
  fixedSize(17), // d8 fixext16
  { head: 1, fixed: 0, counts: "bytes" }, // d9 str8
  { head: 2, fixed: 0, counts: "bytes" }, // da str16
  { head: 4, fixed: 0, counts: "bytes" }, // db str32
  { head: 2, fixed: 0, counts: "values" }, // dc array16
  { head: 4, fixed: 0, counts: "values" }, // dd array32
  { head: 2, fixed: 0, counts: "pairs" }, // de map16
  { head: 4, fixed: 0, counts: "pairs" }, // df map32
];

function fail(what: string): never {
  throw new ProtocolError(`Message is not valid MessagePack: ${what}`);
}

/** Big-endian unsigned number of `size` bytes at `at` (bounds checked). */
function readLength(bytes: Uint8Array, at: number, size: number): number {
  if (at + size > bytes.length) fail("the record ends inside a header");
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i];
  return value;
}

/**
 * Throws `ProtocolError` unless `bytes` starts with one whole MessagePack
 * value whose every declared length fits in the bytes that follow it.
 * Linear in the record's size.
 */
export function checkMessagePackBounds(bytes: Uint8Array): void {
  const end = bytes.length;
  let pos = 0;
  // Values still to read: each takes at least one byte, so this may never
  // exceed what is left of the record.
  let pending = 1;
  while (pending > 0) {
    if (pos >= end) fail("the record ends before its last value");
    const type = bytes[pos++];
    pending--;
    let children = 0;
    let skip = 0;
    if (type <= 0x7f || type >= 0xe0) {
      // Positive and negative fixint: the byte is the value.
    } else if (type <= 0x8f) {
      children = 2 * (type & 0x0f);
    } else if (type <= 0x9f) {
      children = type & 0x0f;
    } else if (type <= 0xbf) {
      skip = type & 0x1f;
    } else {
      const header = TYPED[type - 0xc0];
      if (header === null) fail("0xc1 is not a type");
      const length = header.head > 0 ? readLength(bytes, pos, header.head) : 0;
      pos += header.head;
      skip = header.fixed + (header.counts === "bytes" ? length : 0);
      if (header.counts === "values") children = length;
      if (header.counts === "pairs") children = 2 * length;
    }
    pos += skip;
    pending += children;
    if (pos > end || pending > end - pos) {
      fail("a length is larger than the record");
    }
  }
}
