/**
 * A client of the chart app (`main.ts`) in a process of its own, for the
 * multi-process tests over Redis and over a Redis Cluster: connects with
 * an optional token, records `broadcasttoclient` texts, reads /healthz
 * and /metrics.
 *
 * @module
 */

import type { AppProcess } from "./app_process.ts";
import { connect, type signalR } from "./signalr_client.ts";
import { Inbox } from "./inbox.ts";
import { TokenIssuer } from "../../accounts/token_issuer.ts";

/** The JWT secret the test processes are started with. */
export const JWT_SECRET = "a-test-secret-that-is-at-least-32-bytes-long";

/** A connected chart client. */
export interface ChartPeer {
  readonly conn: signalR.HubConnection;
  readonly id: string;
  /** `broadcasttoclient` texts. */
  readonly direct: Inbox;
}

/** Connects to `proc`'s chart hub, as the token's user if given. */
export async function chartPeer(
  proc: AppProcess,
  token?: string,
): Promise<ChartPeer> {
  const conn = await connect(proc.url, "/chart", {
    accessTokenFactory: token ? () => token : undefined,
  });
  const direct = new Inbox(conn, "broadcasttoclient");
  const id = await conn.invoke<string>("GetConnectionId");
  return { conn, id, direct };
}

/** A token for `user` signed with `JWT_SECRET`. */
export async function tokenFor(user: string): Promise<string> {
  const kv = await Deno.openKv(":memory:");
  try {
    const issuer = await TokenIssuer.open(kv, { secret: JWT_SECRET });
    return (await issuer.issue(user)).access_token;
  } finally {
    kv.close();
  }
}

/** Sends `text` to `to` from `from`; resolves when `to` has it. */
export async function direct(
  from: ChartPeer,
  to: ChartPeer,
  text: string,
): Promise<void> {
  await from.conn.invoke("BroadcastToConnection", text, to.id);
  await to.direct.received(text);
}

/** `GET /healthz`: status and body. */
export async function health(proc: AppProcess) {
  const response = await fetch(`${proc.url}/healthz`);
  return { status: response.status, body: await response.json() };
}

/** `GET /metrics` text. */
export async function metrics(proc: AppProcess): Promise<string> {
  return await (await fetch(`${proc.url}/metrics`)).text();
}
