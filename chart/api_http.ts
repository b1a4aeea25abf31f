/**
 * HTTP plumbing of the account API: bounded body reading and the JSON
 * answers every account route gives.
 *
 * @module
 */

/**
 * Largest request body read, in bytes. Default 4 KiB: a username and a
 * password at their caps fit many times over; anything bigger is refused
 * with 413 before it is buffered.
 */
export const MAX_BODY_BYTES = 4096;

/** A body that was read, and whether it came from an HTML form. */
export interface ReadBody {
  readonly body: unknown;
  readonly form: boolean;
}

/**
 * Reads a JSON or urlencoded-form body, at most `MAX_BODY_BYTES`.
 * Returns the parsed body, or the error `Response` to send.
 */
export async function readBody(request: Request): Promise<ReadBody | Response> {
  const type = request.headers.get("content-type") ?? "";
  const form = type.startsWith("application/x-www-form-urlencoded");
  if (!form && !type.startsWith("application/json")) {
    return jsonError(415, "Send application/json");
  }
  const text = await readLimitedText(request);
  if (text === null) return jsonError(413, "Body too large");
  if (form) {
    return { body: Object.fromEntries(new URLSearchParams(text)), form };
  }
  try {
    return { body: JSON.parse(text), form };
  } catch {
    return jsonError(400, "Body is not valid JSON");
  }
}

/** A JSON response; `Cache-Control: no-store` since bodies may hold tokens. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return Response.json(body, {
    status,
    headers: { "cache-control": "no-store", ...headers },
  });
}

/** `{"error": message}` with `status`. */
export function jsonError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: message }, headers);
}

/** 429 with `Retry-After`. */
export function tooManyRequests(retryAfterSeconds: number): Response {
  return jsonError(429, "Too many attempts; try again later", {
    "retry-after": String(Math.max(1, retryAfterSeconds)),
  });
}

/** 404 for the account routes while a foreign provider issues tokens. */
export function accountsOff(): Response {
  return jsonError(
    404,
    "Built-in accounts are off; use your identity provider",
  );
}

async function readLimitedText(request: Request): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return null;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * `next` when it is a path on this site ("/admin"); "/" otherwise, so the
 * form cannot be turned into a redirect to another site ("//evil.example",
 * "/\\evil.example", "https://...").
 */
export function localPath(next: string | null): string {
  if (next === null || !/^\/[A-Za-z0-9\-_/]*$/.test(next)) return "/";
  return next.startsWith("//") ? "/" : next;
}
