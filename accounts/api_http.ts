/**
 * HTTP plumbing of the account API: bounded body reading and the JSON
 * answers every account route gives.
 *
 * @module
 */

import type { AccountLimits } from "./account_limits.ts";

/** A body that was read, and whether it came from an HTML form. */
export interface ReadBody {
  readonly body: unknown;
  readonly form: boolean;
}

/** The two limits `readBody` enforces. */
export type BodyLimits = Pick<AccountLimits, "maxBodyBytes" | "bodyTimeoutMs">;

/**
 * Reads a JSON or urlencoded-form body of at most `limits.maxBodyBytes`,
 * arriving within `limits.bodyTimeoutMs`. Returns the parsed body, or the
 * error `Response` to send (413 too large, 408 too slow).
 */
export async function readBody(
  request: Request,
  limits: BodyLimits,
): Promise<ReadBody | Response> {
  const type = request.headers.get("content-type") ?? "";
  const form = type.startsWith("application/x-www-form-urlencoded");
  if (!form && !type.startsWith("application/json")) {
    return jsonError(415, "Send application/json");
  }
  const text = await readLimitedText(request, limits);
  if (text === "too large") return jsonError(413, "Body too large");
  if (text === "too slow") {
    return jsonError(408, "Body not received in time", {
      connection: "close",
    });
  }
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

/** 503 when too many password checks wait; `Retry-After` says when. */
export function serverBusy(): Response {
  return jsonError(503, "Too many sign-ins at once; try again shortly", {
    "retry-after": "1",
  });
}

/** 404 for the account routes while a foreign provider issues tokens. */
export function accountsOff(): Response {
  return jsonError(
    404,
    "Built-in accounts are off; use your identity provider",
  );
}

/**
 * The body as text, or why not. The deadline covers the whole body, not
 * each chunk, so trickling one byte at a time does not extend it.
 */
async function readLimitedText(
  request: Request,
  limits: BodyLimits,
): Promise<string | "too large" | "too slow"> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limits.maxBodyBytes) return "too large";
  if (!request.body) return "";
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"too slow">((resolve) => {
    timer = setTimeout(() => resolve("too slow"), limits.bodyTimeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "too slow") return next;
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limits.maxBodyBytes) return "too large";
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(concatBytes(chunks, size));
}

function concatBytes(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
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
