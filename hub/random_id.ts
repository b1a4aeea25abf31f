/**
 * Connection ids and tokens: 16 cryptographically random bytes,
 * base64url-encoded (22 characters), as ASP.NET makes them. URL-safe
 * because the client appends the token to URLs without encoding it.
 *
 * @module
 */

const ALPHABET = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
);
const ascii = new TextDecoder("ascii");

/** A fresh 22-character base64url id from 16 random bytes. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const out = new Uint8Array(22);
  let o = 0;
  for (let i = 0; i + 2 < 16; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ALPHABET[n >> 18];
    out[o++] = ALPHABET[(n >> 12) & 63];
    out[o++] = ALPHABET[(n >> 6) & 63];
    out[o++] = ALPHABET[n & 63];
  }
  out[o++] = ALPHABET[bytes[15] >> 2];
  out[o] = ALPHABET[(bytes[15] & 3) << 4];
  // Decoded in one go: a flat 22-byte string, not a rope of concatenations
  // that every id (two per connection) would otherwise keep alive.
  return ascii.decode(out);
}
