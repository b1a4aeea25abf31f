/**
 * Shared setup of the users tests: a real server with a known JWT secret
 * and an in-memory KV, accounts made through the real API, and official
 * SignalR clients carrying tokens.
 *
 * @module
 */

import type { HubConnection } from "@microsoft/signalr";
import { SignJWT } from "jose";
import { startTestServer } from "./app_server.ts";
import { type ClientOptions, connect } from "./signalr_client.ts";
import {
  type LogFields,
  type Logger,
  type LogLevel as Level,
  redact,
} from "../../hub/logger.ts";

/** The HS256 secret every users test server signs with. */
export const TEST_SECRET = "users-test-secret-0123456789abcdef";

/** A running app plus what its logger wrote. */
export interface UsersApp {
  readonly url: string;
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the real app on 127.0.0.1:0 with in-memory KV and cheap hashing
 * (the cost is configurable precisely so tests need not pay OWASP's).
 */
export async function startUsersApp(
  env: Record<string, string> = {},
): Promise<UsersApp> {
  const logs: string[] = [];
  const logger: Logger = {
    log(level: Level, event: string, fields: LogFields = {}) {
      // What the real console logger would print: redacted fields.
      logs.push(JSON.stringify({ level, event, ...redact(fields) }));
    },
  };
  const app = await startTestServer({
    logger,
    env: {
      JWT_SECRET: TEST_SECRET,
      KV_PATH: ":memory:",
      PBKDF2_ITERATIONS: "1000",
      ...env,
    },
  });
  return { url: app.url, logs, close: () => app.close() };
}

/** POSTs JSON and returns the response (body unread). */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Status and `Retry-After` (seconds, 0 if absent) of one answer. */
export interface PostOutcome {
  readonly status: number;
  readonly retryAfter: number;
}

/**
 * POSTs `count` JSON bodies (`body(i)`) all at once, and returns each
 * answer's outcome in order, bodies discarded.
 */
export function postAtOnce(
  url: string,
  count: number,
  body: (i: number) => unknown,
): Promise<PostOutcome[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const response = await postJson(url, body(i));
    await response.body?.cancel();
    const retryAfter = Number(response.headers.get("retry-after") ?? 0);
    return { status: response.status, retryAfter };
  }));
}

/** Creates an account and returns a fresh access token for it. */
export async function signUpAndToken(
  base: string,
  username: string,
  password = `${username}-password`,
): Promise<string> {
  const created = await postJson(`${base}/api/users`, { username, password });
  await created.body?.cancel();
  if (created.status !== 201) throw new Error(`sign-up ${created.status}`);
  const response = await postJson(`${base}/api/token`, { username, password });
  if (response.status !== 200) throw new Error(`token ${response.status}`);
  return (await response.json()).access_token;
}

/** A token signed with `secret` (default: the server's), for edge cases. */
export function mintToken(
  sub: string,
  options: { expiresIn?: number; secret?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer("switchboard")
    .setAudience("switchboard")
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** A started official client on `url` (hub path included). */
export function connectHub(
  url: string,
  options: ClientOptions = {},
): Promise<HubConnection> {
  return connect(url, "", options);
}

/** Resolves with the arguments of the next `method` call on `connection`. */
export function nextMessage(
  connection: HubConnection,
  method: string,
): Promise<unknown> {
  return new Promise((resolve) => {
    const handler = (data: unknown) => {
      connection.off(method, handler);
      resolve(data);
    };
    connection.on(method, handler);
  });
}

/**
 * Sends a raw WebSocket upgrade over TCP and returns the status code, so
 * a refusal's real status (401, 403) is visible; `new WebSocket` only
 * reports a generic error.
 */
export async function upgradeStatus(
  url: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const target = new URL(url);
  const conn = await Deno.connect({
    hostname: target.hostname,
    port: Number(target.port),
  });
  try {
    const lines = [
      `GET ${target.pathname}${target.search} HTTP/1.1`,
      `Host: ${target.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${btoa("0123456789abcdef")}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n")));
    const buffer = new Uint8Array(1024);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return Number(text.split(" ")[1]);
  } finally {
    conn.close();
  }
}
