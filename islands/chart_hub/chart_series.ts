/**
 * Chart data as the hub sends it (`transferchartdata`), checked on arrival
 * so a malformed message cannot break the chart.
 *
 * @module
 */

import {
  MAX_POINTS,
  MAX_SERIES,
  type WireSeries,
} from "../../chart/chart_contract.ts";

/** One series, as chart.js and the article's Angular client use it. */
export type ChartSeries = WireSeries;

/** Returns `value` as chart data, or null if it is not chart data. */
export function asChartSeries(value: unknown): ChartSeries[] | null {
  if (!Array.isArray(value) || value.length > MAX_SERIES) return null;
  const out: ChartSeries[] = [];
  for (const item of value) {
    const { data, label } = (item ?? {}) as Partial<ChartSeries>;
    if (typeof label !== "string" || !Array.isArray(data)) return null;
    if (data.length > MAX_POINTS || !data.every(Number.isFinite)) return null;
    out.push({ data: [...data], label });
  }
  return out;
}

/** The colours of the four series; also used by the reply bars. */
export const SERIES_COLORS = ["#2563eb", "#db2777", "#059669", "#d97706"];

/** Colour for series `index`, cycling. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}
