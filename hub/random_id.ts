/**
 * Connection ids and tokens: 16 cryptographically random bytes,
 * base64url-encoded (22 characters), as ASP.NET makes them. URL-safe
 * because the client appends the token to URLs without encoding it.
 *
 * @module
 */

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * Random bytes are drawn 4 KB at a time (256 ids) rather than 16 per id:
 * every negotiate makes two ids, and one `getRandomValues` call costs
 * about as much as encoding many ids. Each byte is used once.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;
const codes = new Array<number>(22);

/** A fresh 22-character base64url id from 16 random bytes. */
export function randomId(): string {
  if (used + 16 > POOL_BYTES) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const bytes = pool;
  const base = used;
  used += 16;
  let o = 0;
  for (let i = base; i + 2 < base + 16; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[o++] = CODES[n >> 18];
    codes[o++] = CODES[(n >> 12) & 63];
    codes[o++] = CODES[(n >> 6) & 63];
    codes[o++] = CODES[n & 63];
  }
  const last = bytes[base + 15];
  codes[o++] = CODES[last >> 2];
  codes[o] = CODES[(last & 3) << 4];
  // One call: a flat 22-byte string, not a rope of concatenations that
  // every id (two per connection) would otherwise keep alive.
  return String.fromCharCode.apply(null, codes);
}
