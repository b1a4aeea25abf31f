/**
 * Merges repeated rounds of the same (target, N) into one result holding
 * each workload's best round: the highest rate, the lowest p99 at the
 * fixed rate, the smallest memory. Other processes on the shared cores can
 * only slow a target down, so the best round is the least disturbed one.
 *
 * @module
 */

import type { PhaseResult, ScenarioResult } from "./scenario.ts";

/** One result per (target, N), in first-seen order; failed rounds lose to any success. */
export function bestOf(results: ScenarioResult[]): ScenarioResult[] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of results) {
    const key = `${r.target}/${r.n}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map(merge);
}

function merge(rounds: ScenarioResult[]): ScenarioResult {
  const ok = rounds.filter((r) => !r.error);
  if (ok.length === 0) return rounds[0];
  const pick = <T>(
    score: (r: ScenarioResult) => number,
    get: (r: ScenarioResult) => T,
  ): T =>
    get(
      ok.reduce((best, r) => (valid(score(r)) > valid(score(best)) ? r : best)),
    );
  const fastest = (get: (r: ScenarioResult) => PhaseResult) =>
    pick((r) => get(r).perSecond, get);
  return {
    ...ok[0],
    connected: Math.min(...ok.map((r) => r.connected)),
    connectsPerSecond: Math.max(...ok.map((r) => r.connectsPerSecond)),
    rssIdleBytesPerConn: Math.min(...ok.map((r) => r.rssIdleBytesPerConn)),
    heapIdleBytesPerConn: Math.min(...ok.map((r) => r.heapIdleBytesPerConn)),
    latency: pick((r) => -r.latency.p99Ms, (r) => r.latency),
    roundTrips: fastest((r) => r.roundTrips),
    flood: fastest((r) => r.flood),
    closedDuringRun: Math.max(...ok.map((r) => r.closedDuringRun)),
    busyBeforePercent: Math.min(...ok.map((r) => r.busyBeforePercent)),
  };
}

function valid(score: number): number {
  return Number.isNaN(score) ? -Infinity : score;
}
