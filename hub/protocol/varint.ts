/**
 * The VarInt length prefix of the MessagePack hub protocol: 7 bits per
 * byte, least significant group first, the top bit meaning "more follows";
 * at most 5 bytes and at most 2 GB, as the official client enforces.
 *
 * @module
 */

import { ProtocolError } from "./messages.ts";

/** The longest prefix: 5 bytes carry 35 bits, of which 31 are used. */
export const MAX_VARINT_BYTES = 5;

/** The largest length the prefix may state (2 GB - 1). */
export const MAX_VARINT_VALUE = 0x7fffffff;

/** A prefix read from a buffer. */
export interface VarIntRead {
  /** The length it states. */
  readonly value: number;
  /** How many bytes the prefix itself took. */
  readonly size: number;
}

/** The prefix bytes for `length` (0 ≤ length ≤ 2 GB - 1). */
export function encodeVarInt(length: number): Uint8Array {
  if (
    !Number.isSafeInteger(length) || length < 0 || length > MAX_VARINT_VALUE
  ) {
    throw new RangeError(`Cannot frame a message of ${length} bytes`);
  }
  const out: number[] = [];
  let rest = length;
  do {
    let part = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) part |= 0x80;
    out.push(part);
  } while (rest > 0);
  return Uint8Array.from(out);
}

/**
 * Reads the prefix at `offset`. Returns null when the buffer ends before
 * the prefix does (more bytes will come); throws `ProtocolError` when the
 * prefix is longer than 5 bytes or states more than 2 GB.
 */
export function readVarInt(
  bytes: Uint8Array,
  offset: number,
): VarIntRead | null {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= bytes.length) return null;
    const byte = bytes[offset + i];
    // Multiplication, not shifts: the fifth group would overflow int32.
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > MAX_VARINT_VALUE) {
        throw new ProtocolError("Messages bigger than 2GB are not supported");
      }
      return { value, size: i + 1 };
    }
  }
  throw new ProtocolError("Cannot read message size");
}
