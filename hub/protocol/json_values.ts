/**
 * Values on the JSON wire as ASP.NET (System.Text.Json) writes them, so a
 * client cannot tell Switchboard from an ASP.NET server:
 *
 * - `Uint8Array` / `ArrayBuffer` (a .NET `byte[]`) → a base64 string, not
 *   `{"0":1,"1":2,…}`;
 * - other typed arrays (`double[]`, `int[]`) → plain JSON arrays;
 * - `Date` (a UTC `DateTime`) → ISO 8601 with `Z`, the fraction's trailing
 *   zeros trimmed and no fraction when the milliseconds are zero
 *   (`"2000-01-01T00:00:00Z"`, `"2000-01-01T00:00:00.12Z"`).
 *
 * JSON carries no types, so nothing is converted back on the way in: a
 * method that takes bytes from a JSON client gets the base64 text (decode
 * it with `fromBase64`). MessagePack keeps both natively (bin and the
 * timestamp extension), in both directions.
 *
 * Pure: no Deno APIs.
 *
 * @module
 */

/**
 * Deeper than this, values are converted without the cheap pre-check.
 * A speed heuristic, not a limit: deeper values are still converted.
 */
const MAX_SCAN_DEPTH = 32;
/** Bytes per `String.fromCharCode` call, below engines' argument limits. */
const CHUNK = 0x8000;

/** `JSON.stringify(value)` with .NET's forms for bytes and dates. */
export function stringifyJson(value: unknown): string | undefined {
  return needsConversion(value, 0)
    ? JSON.stringify(value, dotnetReplacer)
    : JSON.stringify(value);
}

/**
 * True when `value` holds a date, bytes or a typed array. Most messages
 * hold none, and a replacer slows `JSON.stringify` down several times,
 * so it is used only when this finds something to convert.
 */
export function needsConversion(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth > MAX_SCAN_DEPTH) return true;
  if (value instanceof Date || ArrayBuffer.isView(value)) return true;
  if (value instanceof ArrayBuffer) return true;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (needsConversion(item, depth + 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (needsConversion((value as Record<string, unknown>)[key], depth + 1)) {
      return true;
    }
  }
  return false;
}

/**
 * The replacer sees a `Date` only after its `toJSON` ran, so it reads the
 * original from the holder (`this[key]`).
 */
function dotnetReplacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Date) return dotnetDate(original);
  if (original instanceof Uint8Array) return toBase64(original);
  if (original instanceof ArrayBuffer) {
    return toBase64(new Uint8Array(original));
  }
  if (ArrayBuffer.isView(original) && !(original instanceof DataView)) {
    return Array.from(
      original as unknown as ArrayLike<number | bigint>,
      Number,
    );
  }
  return value;
}

/** A date as .NET writes a UTC `DateTime`; null when invalid. */
export function dotnetDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  // ".000Z" → "Z", ".120Z" → ".12Z"; whole seconds keep their zeros.
  return date.toISOString().replace(/\.?0+Z$/, "Z");
}

/** Standard base64 (with padding), as .NET writes `byte[]`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * The bytes of a base64 string a JSON client sent for a `byte[]`
 * parameter. Throws a `SyntaxError` for text that is not base64.
 */
export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new SyntaxError("Text is not valid base64");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
