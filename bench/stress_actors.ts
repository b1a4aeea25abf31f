/**
 * The stress run's long-lived well-behaved clients (raw and official),
 * the churn workers, and the checks of what the good clients received.
 *
 * @module
 */

import { buildConnection, signalR } from "../tests/helpers/signalr_client.ts";
import { type Cycle, runCycle } from "./stress_churn.ts";
import { GoodClient } from "./stress_clients.ts";
import type { StressConfig } from "./stress_config.ts";
import type { SeededRandom } from "../tests/helpers/seeded_random.ts";

/** Connects the well-behaved raw clients, 50 at a time, each in a room. */
export async function connectGood(
  url: string,
  config: StressConfig,
  rng: SeededRandom,
): Promise<GoodClient[]> {
  const clients: GoodClient[] = [];
  const batch = 50;
  for (let i = 0; i < config.clients; i += batch) {
    const n = Math.min(batch, config.clients - i);
    clients.push(
      ...await Promise.all(
        Array.from(
          { length: n },
          (_, k) =>
            GoodClient.connect(url, {
              negotiate: rng.next() < 0.5,
              group: `room-${(i + k) % 10}`,
              fromStart: true,
            }),
        ),
      ),
    );
  }
  return clients;
}

/** An official client counting ticks. */
export interface OfficialClient {
  connection: signalR.HubConnection;
  next: number;
  faults: number;
  closed: boolean;
}

/** Starts `n` official clients that check every tick arrives in order. */
export async function connectOfficial(
  url: string,
  n: number,
): Promise<OfficialClient[]> {
  return await Promise.all(Array.from({ length: n }, async () => {
    const connection = buildConnection(url, "/hub", {
      transport: signalR.HttpTransportType.WebSockets,
      // The hub's client timeout is 4 s in a run, so ping more often.
      keepAliveMs: 1_000,
    });
    const c: OfficialClient = { connection, next: 1, faults: 0, closed: false };
    connection.on("tick", (n: number) => {
      if (n !== c.next) c.faults++;
      c.next = n + 1;
    });
    connection.onclose(() => c.closed = true);
    await connection.start();
    return c;
  }));
}

/** Judges every good client against what was broadcast. */
export function checkGood(
  good: GoodClient[],
  official: OfficialClient[],
  heavy: GoodClient[],
  sent: { lastTick: number; heavySent: number },
  fail: (what: string) => void,
): void {
  for (const c of good) {
    if (c.faultCount > 0) fail(`good client faults: ${c.faults.join("; ")}`);
    if (c.serverClose !== null) fail(`good client closed: '${c.serverClose}'`);
    if (c.next.tick !== sent.lastTick + 1) {
      fail(`good client got ${c.next.tick - 1} of ${sent.lastTick} broadcasts`);
    }
  }
  for (const c of heavy) {
    if (c.next.heavy !== sent.heavySent + 1) {
      fail(`heavy client got ${c.next.heavy - 1} of ${sent.heavySent}`);
    }
  }
  for (const c of official) {
    if (c.faults > 0 || c.closed || c.next !== sent.lastTick + 1) {
      fail(
        `official client: next ${c.next}, faults ${c.faults}, closed ${c.closed}`,
      );
    }
  }
}

/** Runs the planned cycles, `concurrency` at a time, until the deadline. */
export async function runChurn(
  url: string,
  plan: Cycle[],
  concurrency: number,
  deadline: number,
  fail: (what: string) => void,
): Promise<{ done: number; kinds: Record<string, number> }> {
  let next = 0;
  let done = 0;
  const kinds: Record<string, number> = {};
  const worker = async () => {
    while (next < plan.length && Date.now() < deadline) {
      const cycle = plan[next++];
      try {
        const failure = await runCycle(url, cycle);
        if (failure) fail(`cycle ${cycle.kind}: ${failure}`);
      } catch (error) {
        fail(`cycle ${cycle.kind} threw: ${(error as Error).message}`);
      }
      done++;
      kinds[`cycles_${cycle.kind}`] = (kinds[`cycles_${cycle.kind}`] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, kinds };
}
