/**
 * The live feed: `transferchartdata` to every connection once a second.
 * It sends to this process's connections only, so with several processes
 * each client still gets exactly one message per interval.
 *
 * @module
 */

import type { Clients } from "../hub/mod.ts";
import { randomChartData } from "./chart_data.ts";

/** Starts the feed; returns a function that stops it. */
export function startChartFeed(
  localClients: Clients,
  intervalMs = 1_000,
): () => void {
  const timer = setInterval(() => {
    localClients.all.send("transferchartdata", randomChartData());
  }, intervalMs);
  return () => clearInterval(timer);
}
