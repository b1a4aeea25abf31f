/**
 * The live feed: `transferchartdata` to every connection once a second.
 * It sends to this process's connections only, so with several processes
 * each client still gets exactly one message per interval.
 *
 * @module
 */

import type { Clients } from "../hub/mod.ts";
import { randomChartData } from "./chart_data.ts";
import type { ChartHistory } from "./chart_history.ts";

/**
 * Starts the feed; returns a function that stops it. Each update is also
 * kept in `history` for `StreamChartHistory`.
 */
export function startChartFeed(
  localClients: Clients,
  history: ChartHistory,
  intervalMs = 1_000,
): () => void {
  const timer = setInterval(() => {
    const data = randomChartData();
    history.push(data);
    localClients.all.send("transferchartdata", data);
  }, intervalMs);
  return () => clearInterval(timer);
}
