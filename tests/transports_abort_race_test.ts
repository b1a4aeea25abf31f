/**
 * HTTP transports whose client gives up around the handshake: an SSE
 * stream aborted before (or while) the handshake POST arrives, a long poll
 * aborted while it is in flight, a DELETE racing it. Each connection must
 * be cleaned up exactly once and leave nothing counted against its user
 * or address. The hub runs in a process of its own on 127.0.0.1 (a race
 * with a client in the same event loop is seldom lost); the client is raw
 * fetch with an AbortController, many attempts at once, each a few
 * milliseconds apart from the next so some land in the window.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { handshake } from "./helpers/raw_hub.ts";
import { AppProcess } from "./helpers/app_process.ts";
import type { RaceStats } from "./helpers/race_hub_process.ts";

/** Attempts at once: also the per-user and per-address caps. */
const CAP = 10;
/** Rounds of CAP attempts per test. */
const ROUNDS = 6;
const USER = { "x-user": "racer" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hub process, stopped by `stop`. */
function startRaceHub(): Promise<AppProcess> {
  return AppProcess.start("tests/helpers/race_hub_process.ts", {
    HUB_OPTIONS: JSON.stringify({
      maxConnectionsPerUser: CAP,
      maxConnectionsPerAddress: CAP,
      // Short, so a live connection whose client is gone ends within the
      // wait below; a connection the heartbeat lost ends never.
      keepAliveIntervalMs: 150,
      clientTimeoutMs: 500,
      longPollInactivityMs: 300,
      closingGraceMs: 300,
    }),
  });
}

async function stats(base: string): Promise<RaceStats> {
  return await (await fetch(`${base}/stats`)).json();
}

async function negotiateAs(
  hub: string,
): Promise<{ id: string; token: string }> {
  const res = await fetch(`${hub}/negotiate?negotiateVersion=1`, {
    method: "POST",
    headers: USER,
  });
  const text = await res.text();
  assertEquals(res.status, 200, `negotiate: ${text}`);
  const body = JSON.parse(text);
  return { id: body.connectionId, token: body.connectionToken };
}

/** Sends the handshake POST; whatever it answers, reads it to the end. */
function postHandshake(target: string): Promise<unknown> {
  return fetch(target, { method: "POST", headers: USER, body: handshake() })
    .then((r) => r.arrayBuffer())
    .catch(() => null);
}

/**
 * Opens the SSE stream and, `gap` ms later, aborts it before sending the
 * handshake POST ("before") or right after ("race").
 */
async function abortedStream(
  hub: string,
  gap: number,
  order: "before" | "race",
): Promise<string> {
  const { id, token } = await negotiateAs(hub);
  const target = `${hub}?id=${token}`;
  const abort = new AbortController();
  const stream = fetch(target, {
    headers: { ...USER, accept: "text/event-stream" },
    signal: abort.signal,
  }).then((r) => r.body?.pipeTo(new WritableStream())).catch(() => {});
  await sleep(gap);
  if (order === "before") abort.abort();
  const post = postHandshake(target);
  if (order === "race") abort.abort();
  await Promise.all([post, stream]);
  return id;
}

/**
 * Polls once (the first poll answers at once), then sends a second poll
 * and, `gap` ms later, the handshake POST, aborting the poll meanwhile.
 */
async function abortedPoll(hub: string, gap: number): Promise<string> {
  const { id, token } = await negotiateAs(hub);
  const target = `${hub}?id=${token}`;
  await (await fetch(target, { headers: USER })).arrayBuffer();
  const abort = new AbortController();
  const poll = fetch(target, { headers: USER, signal: abort.signal })
    .then((r) => r.arrayBuffer())
    .catch(() => null);
  await sleep(gap);
  const post = postHandshake(target);
  abort.abort();
  await Promise.all([post, poll]);
  return id;
}

/** The first poll, then `gap` ms apart a DELETE and the handshake POST. */
async function deleteRacingHandshake(
  hub: string,
  gap: number,
): Promise<string> {
  const { id, token } = await negotiateAs(hub);
  const target = `${hub}?id=${token}`;
  await (await fetch(target, { headers: USER })).arrayBuffer();
  const post = postHandshake(target);
  await sleep(gap);
  await fetch(target, { method: "DELETE", headers: USER })
    .then((r) => r.arrayBuffer());
  await post;
  return id;
}

/**
 * Waits until the hub holds nothing (store, connections, users). With
 * `disconnect`, first asks the admin API to end every attempt's connection
 * (a no-op, false, for one already gone).
 */
async function drained(base: string, ids: string[], disconnect: boolean) {
  if (disconnect) {
    for (const id of ids) {
      await (await fetch(`${base}/disconnect?id=${id}`, { method: "POST" }))
        .json();
    }
  }
  let last: RaceStats | null = null;
  await waitUntil(
    async () => {
      const { sizes } = last = await stats(base);
      return sizes.store === 0 && sizes.connections === 0 && sizes.users === 0;
    },
    `connections left behind`,
    8_000,
  ).catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(last)}`);
  });
}

/**
 * Runs ROUNDS rounds of CAP attempts at once (attempt i waits i ms), each
 * followed by a wait for the hub to hold nothing; then checks cleanup ran
 * once per opened connection, /metrics says 0 and the user's and address's
 * whole allowance is free again.
 */
async function rounds(
  attempt: (hub: string, gap: number) => Promise<string>,
  disconnect = false,
): Promise<void> {
  const server = await startRaceHub();
  try {
    const hub = `${server.url}/hub`;
    for (let round = 0; round < ROUNDS; round++) {
      const ids = await Promise.all(
        Array.from({ length: CAP }, (_, i) => attempt(hub, i)),
      );
      await drained(server.url, ids, disconnect);
    }
    const after = await stats(server.url);
    assertEquals(after.neverClosed, 0, JSON.stringify(after));
    assertEquals(after.badCloses, 0, JSON.stringify(after));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assertOk(/^switchboard_connections 0$/m.test(metrics), metrics);
    assertOk(/^switchboard_users 0$/m.test(metrics), metrics);
    for (let i = 0; i < CAP; i++) await negotiateAs(hub);
  } finally {
    await server.stop();
  }
}

Deno.test("SSE: a stream aborted before the handshake POST is cleaned up once", async () => {
  await rounds((hub, gap) => abortedStream(hub, gap, "before"));
});

Deno.test("SSE: a stream aborted during the handshake POST is cleaned up once", async () => {
  await rounds((hub, gap) => abortedStream(hub, gap, "race"));
});

Deno.test("SSE: admin Disconnect ends whatever an aborted stream left", async () => {
  await rounds((hub, gap) => abortedStream(hub, gap, "before"), true);
});

Deno.test("long polling: a poll aborted during the handshake POST is cleaned up once", async () => {
  await rounds(abortedPoll);
});

Deno.test("long polling: a DELETE racing the handshake POST is cleaned up once", async () => {
  await rounds(deleteRacingHandshake);
});
