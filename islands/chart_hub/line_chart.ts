/**
 * The chart.js line chart of the live series, with a rolling window.
 *
 * Only the chart.js parts a line chart needs are registered, which keeps the
 * bundle well under the page's 100 KiB (gzipped) JavaScript budget.
 *
 * @module
 */

import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { type ChartSeries, seriesColor } from "./chart_series.ts";

let registered = false;

/** A live chart drawing the last `windowSize` updates of each series. */
export class LiveLineChart {
  readonly #chart: Chart<"line", number[], string>;
  readonly #windowSize: number;

  constructor(canvas: HTMLCanvasElement, windowSize: number) {
    if (!registered) {
      Chart.register(
        LineController,
        LineElement,
        PointElement,
        LinearScale,
        CategoryScale,
        Legend,
        Tooltip,
      );
      registered = true;
    }
    this.#windowSize = windowSize;
    this.#chart = new Chart(canvas, {
      type: "line",
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 250 },
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, suggestedMax: 40, ticks: { precision: 0 } },
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  /** Appends one update (the last number of each series) at `time`. */
  push(series: readonly ChartSeries[], time: Date): void {
    this.#append(series, time);
    this.#chart.update();
  }

  /**
   * Redraws with `points` only, oldest first (the server's history); live
   * updates then continue after them. Drawn once, not once per point.
   */
  replace(
    points: readonly { series: readonly ChartSeries[]; time: Date }[],
  ): void {
    const { data } = this.#chart;
    data.labels!.length = 0;
    data.datasets.length = 0;
    for (const p of points.slice(-this.#windowSize)) {
      this.#append(p.series, p.time);
    }
    this.#chart.update();
  }

  /** Frees the canvas. */
  destroy(): void {
    this.#chart.destroy();
  }

  #append(series: readonly ChartSeries[], time: Date): void {
    const { data } = this.#chart;
    data.labels!.push(time.toLocaleTimeString([], { hour12: false }));
    series.forEach((s, i) => {
      let dataset = data.datasets[i];
      if (!dataset) {
        dataset = {
          label: s.label,
          data: new Array(data.labels!.length - 1).fill(null),
          borderColor: seriesColor(i),
          backgroundColor: seriesColor(i),
          cubicInterpolationMode: "monotone",
          pointRadius: 2,
        };
        data.datasets.push(dataset);
      }
      dataset.label = s.label;
      dataset.data.push(s.data.at(-1) ?? NaN);
    });
    // Bounded: drop the oldest point once the window is full.
    while (data.labels!.length > this.#windowSize) {
      data.labels!.shift();
      for (const dataset of data.datasets) dataset.data.shift();
    }
  }
}
