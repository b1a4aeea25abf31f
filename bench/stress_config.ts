/**
 * The knobs of a stress run and its report: a quick run for
 * `deno task test` and the full run of `deno task stress`.
 *
 * @module
 */

/** Knobs of a run; every count and wait is bounded. */
export interface StressConfig {
  seed: number;
  /** Connect/disconnect cycles (good and bad). */
  cycles: number;
  /** Well-behaved raw clients held for the whole run. */
  clients: number;
  /** Official `@microsoft/signalr` clients among the good ones. */
  officialClients: number;
  /** Cycles running at once. */
  concurrency: number;
  slowReaders: number;
  noPongClients: number;
  /** Good clients that also take the heavy stream the slow readers choke on. */
  heavyClients: number;
  /** Broadcast period. */
  tickMs: number;
  /** The whole run must end within this, or it fails. */
  maxDurationMs: number;
  /** Heap growth allowed after churn, in bytes (checked only with gc). */
  heapSlackBytes: number;
}

/** What a run measured and whether its invariants held. */
export interface StressReport {
  readonly seed: number;
  readonly ok: boolean;
  readonly failures: string[];
  readonly figures: Record<string, number | string>;
}

/** A small run for `deno task test`. */
export const quickConfig: Omit<StressConfig, "seed"> = {
  cycles: 300,
  clients: 50,
  officialClients: 3,
  concurrency: 25,
  slowReaders: 2,
  noPongClients: 3,
  heavyClients: 2,
  tickMs: 50,
  maxDurationMs: 60_000,
  heapSlackBytes: 16 * 1024 * 1024,
};

/** The full run of `deno task stress`. */
export const fullConfig: Omit<StressConfig, "seed"> = {
  cycles: 10_000,
  clients: 1_000,
  officialClients: 10,
  concurrency: 50,
  slowReaders: 5,
  noPongClients: 20,
  heavyClients: 3,
  tickMs: 100,
  maxDurationMs: 600_000,
  heapSlackBytes: 24 * 1024 * 1024,
};
