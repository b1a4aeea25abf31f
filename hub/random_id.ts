/**
 * Connection ids and tokens: 16 cryptographically random bytes,
 * base64url-encoded (22 characters), as ASP.NET makes them. URL-safe
 * because the client appends the token to URLs without encoding it.
 *
 * @module
 */

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A fresh 22-character base64url id from 16 random bytes. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  let i = 0;
  for (; i + 2 < 16; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] +
      ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const last = bytes[15];
  return out + ALPHABET[last >> 2] + ALPHABET[(last & 3) << 4];
}
