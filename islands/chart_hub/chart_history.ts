/**
 * "Show the last N points": streams the feed history from the hub
 * (`StreamChartHistory`, a server-to-client stream) over the typed shared
 * connection, so the method name, its argument and the item type are
 * checked against chart/chart_contract.ts at compile time.
 *
 * @module
 */

import { type ChartHub, connectionState } from "./chart_connection.ts";
import { asChartSeries, type ChartSeries } from "./chart_series.ts";

/** One past update, ready for `LiveLineChart.replace`. */
export interface PastUpdate {
  readonly series: ChartSeries[];
  readonly time: Date;
}

/** Resolves with the last `count` updates the server sent, oldest first. */
export function streamHistory(
  hub: ChartHub,
  count: number,
): Promise<PastUpdate[]> {
  if (connectionState.value !== "connected") {
    return Promise.reject(new Error("Not connected to the hub yet"));
  }
  const points: PastUpdate[] = [];
  return new Promise((resolve, reject) => {
    hub.stream("StreamChartHistory", count).subscribe({
      next(point) {
        // Checked like live data, so a bad item cannot break the chart.
        const series = asChartSeries(point.series);
        if (series) points.push({ series, time: new Date(point.at) });
      },
      complete: () => resolve(points),
      error: reject,
    });
  });
}
