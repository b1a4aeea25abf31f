/**
 * A small hub for fault, limit and stress tests, served by `serveHub`
 * with whatever options a test needs (tiny queues, short windows).
 *
 * @module
 */

import {
  defineHub,
  type HubContext,
  type HubServer,
  type HubServerOptions,
} from "../../hub/mod.ts";
import { serveHub } from "./hub_fixture.ts";

/** A running fault hub; `close()` it in `finally`. */
export interface FaultHub {
  readonly url: string;
  readonly hub: HubServer;
  /** Numbers each connection sent with `Record`, in arrival order. */
  readonly recorded: Map<string, number[]>;
  /** Bursts still running (stopped by `close`). */
  readonly bursts: Set<{ stop: boolean }>;
  /** Calls of `Hold` wait until this is released (then it is re-armed). */
  release(): void;
  /** `Hold` calls waiting right now. */
  readonly holding: () => number;
  /** Prometheus text from `/metrics`. */
  metrics(): Promise<string>;
  /** The value of the line `name <value>` in `/metrics`. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A latch hub methods can wait on, so tests order events without timers. */
class Gate {
  waiting = 0;
  #open = Promise.withResolvers<void>();
  async wait(): Promise<void> {
    this.waiting++;
    await this.#open.promise;
    this.waiting--;
  }
  release(): void {
    this.#open.resolve();
    this.#open = Promise.withResolvers<void>();
  }
}

function makeHub(
  recorded: Map<string, number[]>,
  bursts: Set<{ stop: boolean }>,
  gate: Gate,
) {
  return defineHub({
    methods: {
      GetConnectionId: (ctx: HubContext) => ctx.connectionId,
      Echo: (_ctx: HubContext, value: unknown) => value,
      Join: (ctx: HubContext, group: string) =>
        ctx.groups.add(ctx.connectionId, group),
      ToGroup: (ctx: HubContext, group: string, value: unknown) =>
        ctx.clients.group(group).send("group", value),
      /** Sends `seq` 1..count to the caller, `gapMs` apart, in background. */
      Burst(ctx: HubContext, count: number, gapMs: number) {
        const burst = { stop: false };
        bursts.add(burst);
        (async () => {
          for (let i = 1; i <= count && !burst.stop; i++) {
            await ctx.clients.caller.send("seq", i);
            if (gapMs > 0) await sleep(gapMs);
          }
          bursts.delete(burst);
        })();
      },
      /**
       * Sends `seq` 1..rounds×perTurn to the caller, `perTurn` of them in
       * each event-loop turn (so they share frames), `gapMs` between turns.
       */
      BurstFrames(
        ctx: HubContext,
        rounds: number,
        perTurn: number,
        gapMs: number,
      ) {
        const burst = { stop: false };
        bursts.add(burst);
        (async () => {
          for (let r = 0; r < rounds && !burst.stop; r++) {
            for (let i = 1; i <= perTurn; i++) {
              ctx.clients.caller.send("seq", r * perTurn + i);
            }
            await sleep(gapMs);
          }
          bursts.delete(burst);
        })();
      },
      Record(ctx: HubContext, n: number) {
        let list = recorded.get(ctx.connectionId);
        if (!list) recorded.set(ctx.connectionId, list = []);
        list.push(n);
      },
      Recorded: (ctx: HubContext) => recorded.get(ctx.connectionId) ?? [],
      Hold: async (_ctx: HubContext) => {
        await gate.wait();
        return "released";
      },
      /** Sends `count` strings of `size` characters to everyone at once. */
      Flood(ctx: HubContext, count: number, size: number) {
        const text = "x".repeat(size);
        for (let i = 1; i <= count; i++) ctx.clients.all.send("flood", i, text);
      },
      Slow: async (_ctx: HubContext, ms: number) => {
        await sleep(ms);
        return ms;
      },
    },
  });
}

/** Starts the fault hub at `/hub` with `options` over quiet defaults. */
export async function startFaultHub(
  options: Partial<HubServerOptions> = {},
): Promise<FaultHub> {
  const recorded = new Map<string, number[]>();
  const bursts = new Set<{ stop: boolean }>();
  const gate = new Gate();
  const served = await serveHub(makeHub(recorded, bursts, gate), options);
  const metrics = async () => {
    const response = await fetch(`${served.url}/metrics`);
    return await response.text();
  };
  return {
    url: served.url,
    hub: served.hub,
    recorded,
    bursts,
    release: () => gate.release(),
    holding: () => gate.waiting,
    metrics,
    metric: async (name) => metricValue(await metrics(), name),
    async close() {
      for (const burst of bursts) burst.stop = true;
      gate.release();
      await served.close();
      // Let stopped bursts leave their sleep before sanitizers look.
      while (bursts.size > 0) await sleep(5);
    },
  };
}

/** The value of a Prometheus line `name <value>` in `text`. */
function metricValue(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  if (!line) throw new Error(`No metric ${name}`);
  return Number(line.slice(name.length + 1));
}
