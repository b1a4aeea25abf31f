/**
 * One HTTP/1.1 request written byte for byte over TCP. `fetch` normalizes
 * paths (`..`, backslashes, percent-encoding) before they leave the
 * client, so an attack on path handling has to be sent raw.
 *
 * @module
 */

/** The status line's code and the body of a raw response. */
export interface RawResponse {
  status: number;
  text: string;
}

/** Largest response read; the rest is cut (tests look for leaks, not files). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Sends `GET <target>` (or `method`) exactly as given, with `Connection:
 * close`, and reads the whole answer (bounded by {@link MAX_RESPONSE_BYTES}
 * and a 5 s deadline).
 */
export async function rawRequest(
  port: number,
  target: string,
  options: { method?: string; host?: string; headers?: string[] } = {},
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), 5_000);
  try {
    const lines = [
      `${options.method ?? "GET"} ${target} HTTP/1.1`,
      `Host: ${options.host ?? `127.0.0.1:${port}`}`,
      "Connection: close",
      ...(options.headers ?? []),
      "",
      "",
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n")));
    const chunks: Uint8Array[] = [];
    let size = 0;
    const buf = new Uint8Array(64 * 1024);
    while (size < MAX_RESPONSE_BYTES) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      size += n;
    }
    const text = new TextDecoder().decode(concat(chunks, size));
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
    return { status, text };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the deadline.
    }
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
