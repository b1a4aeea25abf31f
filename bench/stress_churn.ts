/**
 * One connect/disconnect cycle of the stress run, good or bad, chosen by
 * the seeded plan: polite and abrupt leavers, malformed and oversize
 * frames, bad and missing handshakes, negotiations never used. Each cycle
 * checks the server did what it must (close the offender) in bounded time.
 *
 * @module
 */

import type { SeededRandom } from "../tests/helpers/seeded_random.ts";
import {
  CLIENT_WAIT_MS,
  closedWithin,
  type ConnectOptions,
  GoodClient,
  HANDSHAKE,
  openSocket,
  RS,
} from "./stress_clients.ts";

/** What a cycle does. */
export type CycleKind =
  | "clean"
  | "abrupt"
  | "malformed"
  | "oversize"
  | "bad-handshake"
  | "silent"
  | "negotiate-only"
  | "stateful-drop"
  | "stateful-resume";

/** The mix of a run: mostly honest churn, with every kind of abuse. */
export const CYCLE_WEIGHTS: readonly (readonly [CycleKind, number])[] = [
  ["clean", 40],
  ["abrupt", 25],
  ["malformed", 12],
  ["oversize", 5],
  ["bad-handshake", 6],
  ["silent", 4],
  ["negotiate-only", 8],
  ["stateful-drop", 5],
  ["stateful-resume", 5],
];

/** A planned cycle: everything random is drawn up front from the seed. */
export interface Cycle {
  readonly kind: CycleKind;
  readonly negotiate: boolean;
  readonly group: string | null;
  readonly garbage: number;
}

/** Draws the cycle plan of a run. */
export function planCycles(rng: SeededRandom, count: number): Cycle[] {
  const plan: Cycle[] = [];
  for (let i = 0; i < count; i++) {
    plan.push({
      kind: rng.weighted(CYCLE_WEIGHTS),
      negotiate: rng.next() < 0.5,
      group: rng.next() < 0.6 ? `churn-${rng.int(50)}` : null,
      garbage: rng.int(1 << 30),
    });
  }
  return plan;
}

/** Frames no honest client sends; each must close the connection. */
function garbageFrame(pick: number): string | Uint8Array {
  const frames: (string | Uint8Array)[] = [
    `not json${RS}`,
    `{"type":1}${RS}`,
    `{"type":"one"}${RS}`,
    `[1,2,3]${RS}`,
    `{"type":3,"invocationId":"1","result":1,"error":"x"}${RS}`,
    `{"type":1,"target":"Join","arguments":"nope"}${RS}`,
    `{"type":1,"target":"Join","arguments":[],"headers":{"a":1}}${RS}`,
    `{"type":9,"sequenceId":-1}${RS}`,
    // Invalid UTF-8, then a separator.
    new Uint8Array([0xff, 0xfe, 0xc3, 0x28, pick & 0xff, 0x1e]),
  ];
  return frames[pick % frames.length];
}

/** Runs one cycle; resolves with a failure description or null. */
export async function runCycle(
  base: string,
  cycle: Cycle,
): Promise<string | null> {
  switch (cycle.kind) {
    case "clean":
    case "abrupt":
      return await honest(base, cycle);
    case "malformed":
      return await offend(base, cycle, garbageFrame(cycle.garbage));
    case "oversize":
      // Past the 64 KiB limit; no separator needed, the size alone counts.
      return await offend(
        base,
        cycle,
        "x".repeat(70_000 + (cycle.garbage & 1023)),
      );
    case "bad-handshake":
      return await badHandshake(base, cycle);
    case "silent":
      return await silent(base, cycle);
    case "stateful-drop":
    case "stateful-resume":
      return await stateful(base, cycle);
    case "negotiate-only": {
      const response = await fetch(`${base}/hub/negotiate?negotiateVersion=1`, {
        method: "POST",
      });
      await response.body?.cancel();
      return response.status === 200 ? null : `negotiate ${response.status}`;
    }
  }
}

function options(cycle: Cycle, stateful = false): ConnectOptions {
  return {
    negotiate: cycle.negotiate,
    group: cycle.group ?? undefined,
    stateful,
  };
}

async function honest(base: string, cycle: Cycle): Promise<string | null> {
  const client = await GoodClient.connect(base, options(cycle));
  await client.invoke("Echo", [cycle.garbage]);
  if (cycle.kind === "clean") await client.close();
  else {
    client.socket.close();
    await client.closed;
  }
  return client.faultCount === 0 ? null : client.faults.join("; ");
}

async function offend(
  base: string,
  cycle: Cycle,
  frame: string | Uint8Array,
): Promise<string | null> {
  const client = await GoodClient.connect(base, options(cycle));
  client.socket.send(frame);
  if (await closedWithin(client.socket, CLIENT_WAIT_MS)) return null;
  client.socket.close();
  return `${cycle.kind} frame did not close the connection`;
}

async function badHandshake(
  base: string,
  cycle: Cycle,
): Promise<string | null> {
  const socket = await openSocket(base, cycle.negotiate);
  const protocol = cycle.garbage % 2 === 0 ? "nope" : "json";
  const version = cycle.garbage % 2 === 0 ? 1 : 99;
  socket.send(JSON.stringify({ protocol, version }) + RS);
  if (await closedWithin(socket, CLIENT_WAIT_MS)) return null;
  socket.close();
  return "a bad handshake did not close the connection";
}

async function silent(base: string, cycle: Cycle): Promise<string | null> {
  const socket = await openSocket(base, cycle.negotiate);
  // Half a handshake at most, then nothing: the deadline must end it.
  if (cycle.garbage % 2 === 0) socket.send(HANDSHAKE.slice(0, 10));
  if (await closedWithin(socket, CLIENT_WAIT_MS)) return null;
  socket.close();
  return "a silent socket outlived the handshake deadline";
}

/**
 * A stateful client whose socket drops: either it never returns (the
 * reconnect window must end the connection) or it resumes with its token
 * and must get the server's Sequence first, then work as before.
 */
async function stateful(base: string, cycle: Cycle): Promise<string | null> {
  const first = await GoodClient.connect(base, options(cycle, true));
  await first.invoke("Echo", [1]);
  first.socket.close(); // abrupt: no Close message
  await first.closed;
  if (cycle.kind === "stateful-drop") return null;
  const again = await GoodClient.resume(
    base,
    first.token!,
    first.sentTrackable,
  );
  await again.invoke("Echo", [2]);
  await again.close();
  if (again.faultCount > 0) return again.faults.join("; ");
  return again.resumedAt >= 1 ? null : `resumed at ${again.resumedAt}`;
}
