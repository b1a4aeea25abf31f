/**
 * The live chart: four series pushed by the hub every second
 * (`transferchartdata`). Clicking the chart, or the button, sends the data
 * on screen back with `BroadcastChartData(data, connectionId)`; the hub
 * answers this tab only (`broadcastchartdata`), shown in the private panel.
 *
 * @module
 */

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import {
  chartConnection,
  connectionId,
  invoke,
} from "./chart_hub/chart_connection.ts";
import { asChartSeries, type ChartSeries } from "./chart_hub/chart_series.ts";
import { LiveLineChart } from "./chart_hub/line_chart.ts";
import { ConnectionStatus } from "./chart_hub/ConnectionStatus.tsx";
import { LatestTable } from "./chart_hub/LatestTable.tsx";
import { PrivateReply, type Reply } from "./chart_hub/PrivateReply.tsx";
import { streamHistory } from "./chart_hub/chart_history.ts";

/** Props set by the page (serialized to the browser). */
export interface LiveChartProps {
  /** Where the chart hub is mounted. */
  readonly hubPath: string;
  /** Updates kept on the chart (a rolling window). */
  readonly windowSize: number;
}

/** The live chart island. */
export default function LiveChart({ hubPath, windowSize }: LiveChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useSignal<ChartSeries[] | null>(null);
  const reply = useSignal<Reply | null>(null);
  const problem = useSignal<string | null>(null);
  const sending = useSignal(false);
  // Counts updates drawn; exposed as data-updates so tests can wait on it.
  const updates = useSignal(0);
  const chartRef = useRef<LiveLineChart | null>(null);
  const loadingHistory = useSignal(false);
  const historyShown = useSignal<number | null>(null);

  useEffect(() => {
    const chart = new LiveLineChart(canvas.current!, windowSize);
    chartRef.current = chart;
    const hub = chartConnection(hubPath);
    const onData = (value: unknown) => {
      const series = asChartSeries(value);
      if (!series) return;
      latest.value = series;
      chart.push(series, new Date());
      updates.value++;
    };
    const onReply = (value: unknown) => {
      const series = asChartSeries(value);
      if (series) reply.value = { series, at: new Date() };
    };
    const offData = hub.on("transferchartdata", onData);
    const offReply = hub.on("broadcastchartdata", onReply);
    return () => {
      offData();
      offReply();
      chartRef.current = null;
      chart.destroy();
    };
  }, [hubPath, windowSize]);

  // Fills the chart with the server's last points (a server stream).
  const showHistory = async () => {
    loadingHistory.value = true;
    problem.value = null;
    try {
      const points = await streamHistory(chartConnection(hubPath), windowSize);
      chartRef.current?.replace(points);
      historyShown.value = points.length;
    } catch (error) {
      problem.value = error instanceof Error ? error.message : String(error);
    } finally {
      loadingHistory.value = false;
    }
  };

  const askPrivately = async () => {
    const data = latest.peek();
    const id = connectionId.peek();
    if (!data || !id) {
      problem.value = "Wait for the first update and a connection id.";
      return;
    }
    sending.value = true;
    problem.value = null;
    try {
      await invoke("BroadcastChartData", data, id);
    } catch (error) {
      problem.value = error instanceof Error ? error.message : String(error);
    } finally {
      sending.value = false;
    }
  };

  return (
    <section class="live-chart" aria-labelledby="live-chart-title">
      <header class="card-header">
        <h2 id="live-chart-title">Live data</h2>
        <ConnectionStatus />
      </header>
      <div class="chart-box" onClick={askPrivately}>
        <canvas
          ref={canvas}
          data-testid="live-chart"
          data-updates={updates.value}
          role="img"
          aria-label="Line chart of four data series updated every second. The latest values are in the table below."
        />
      </div>
      <div class="actions">
        <button
          type="button"
          class="primary"
          data-testid="private-request"
          onClick={askPrivately}
          disabled={sending.value}
        >
          Ask the server privately
        </button>
        <span class="hint">
          or click the chart. Only this tab gets the answer.
        </span>
        <button
          type="button"
          data-testid="history-request"
          onClick={showHistory}
          disabled={loadingHistory.value}
        >
          Show the last {windowSize} points
        </button>
        {historyShown.value !== null && (
          <span class="hint" role="status" data-testid="history-status">
            Drew {historyShown.value} past points from the server
          </span>
        )}
      </div>
      {problem.value && <p class="problem" role="alert">{problem.value}</p>}
      <LatestTable series={latest.value} />
      <PrivateReply reply={reply.value} />
    </section>
  );
}
