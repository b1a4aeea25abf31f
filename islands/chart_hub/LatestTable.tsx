/**
 * The chart's text alternative: the latest value of each series.
 *
 * @module
 */

import type { ChartSeries } from "./chart_series.ts";
import { seriesColor } from "./chart_series.ts";

/** A small table of the newest numbers; empty rows until data arrives. */
export function LatestTable({ series }: { series: ChartSeries[] | null }) {
  return (
    <table class="latest" data-testid="latest-values">
      <caption>Latest values</caption>
      <thead>
        <tr>
          {(series ?? placeholder()).map((s, i) => (
            <th scope="col" key={s.label}>
              <span class="swatch" style={{ background: seriesColor(i) }} />
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {(series ?? placeholder()).map((s) => (
            <td key={s.label}>{s.data.length ? s.data.at(-1) : "…"}</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function placeholder(): ChartSeries[] {
  return ["Data1", "Data2", "Data3", "Data4"].map((label) => ({
    label,
    data: [],
  }));
}
