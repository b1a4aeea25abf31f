/**
 * Turns scenario results into the Markdown report: one table per N with
 * absolute figures and ratios to the raw Deno server, then the issue's
 * targets checked at N = 5,000 (or the middle N of the run).
 *
 * @module
 */

import type { ScenarioResult } from "./scenario.ts";
import type { TargetName } from "./target_process.ts";

/** Facts about the run printed above the tables. */
export interface RunInfo {
  date: string;
  environment: string[];
  settings: string[];
}

const LABEL: Record<TargetName, string> = {
  raw: "raw Deno WS",
  minimal: "minimal SignalR (reference)",
  socketio: "Socket.IO 4.8 (Node)",
  switchboard: "Switchboard",
};

/** The whole report as Markdown. */
export function renderMarkdown(
  results: ScenarioResult[],
  info: RunInfo,
): string {
  const ns = [...new Set(results.map((r) => r.n))].sort((a, b) => a - b);
  const out = [
    `# Benchmark results, ${info.date}`,
    "",
    ...info.environment.map((line) => `- ${line}`),
    ...info.settings.map((line) => `- ${line}`),
    "",
    "Ratios in parentheses are to raw Deno at the same N (higher is better for",
    "rates, lower is better for CPU per operation, latency and memory). CPU µs",
    "per operation is the target's user+system CPU time divided by the work",
    "done, which other load on the machine disturbs far less than the rates.",
    "The last column is % of one core during the flood: target / load",
    "generator / everything else on the machine (kernel network work and other",
    "processes; 200 = both cores busy).",
    "",
  ];
  for (const n of ns) {
    out.push(...tableFor(results.filter((r) => r.n === n), n));
  }
  out.push(...targetsSection(results, ns));
  return out.join("\n") + "\n";
}

function tableFor(rows: ScenarioResult[], n: number): string[] {
  const raw = rows.find((r) => r.target === "raw" && !r.error);
  const lines = [
    `## N = ${n.toLocaleString("en-US")}`,
    "",
    "| target | fan-out deliveries/s | CPU µs per delivery | fan-out p50 / p99 at 2/s (ms) | flood p99 (ms) | round trips/s | CPU µs per round trip | round trip p50 / p99 (ms) | KB per idle conn: RSS (heap) | connects/s | CPU % in flood |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    if (r.error) {
      lines.push(
        `| ${LABEL[r.target]} | failed: ${oneLine(r.error)} |${
          " |".repeat(10)
        }`,
      );
      continue;
    }
    const cells = [
      LABEL[r.target],
      withRatio(r.flood.perSecond, raw?.flood.perSecond, 0),
      withRatio(cpuMicros(r.flood), raw && cpuMicros(raw.flood), 1),
      `${ms(r.latency.p50Ms)} / ${
        withRatio(r.latency.p99Ms, raw?.latency.p99Ms, 1)
      }`,
      ms(r.flood.p99Ms),
      withRatio(r.roundTrips.perSecond, raw?.roundTrips.perSecond, 0),
      withRatio(cpuMicros(r.roundTrips), raw && cpuMicros(raw.roundTrips), 1),
      `${ms(r.roundTrips.p50Ms)} / ${ms(r.roundTrips.p99Ms)}`,
      `${
        withRatio(
          r.rssIdleBytesPerConn / 1024,
          raw && raw.rssIdleBytesPerConn / 1024,
          1,
        )
      } (${(r.heapIdleBytesPerConn / 1024).toFixed(1)})`,
      withRatio(r.connectsPerSecond, raw?.connectsPerSecond, 0),
      r.flood.cpu.join(" / "),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const lost = rows.filter((r) =>
    !r.error && r.latency.samples < r.latency.expected
  );
  for (const r of lost) {
    lines.push(
      "",
      `${
        LABEL[r.target]
      } delivered ${r.latency.samples} of ${r.latency.expected} fixed-rate messages.`,
    );
  }
  const busy = rows.filter((r) => !r.error && r.busyBeforePercent > 25);
  for (const r of busy) {
    lines.push(
      "",
      `The machine was ${r.busyBeforePercent}% busy (of one core) with other work when ${
        LABEL[r.target]
      } started: its figures are pessimistic.`,
    );
  }
  const closed = rows.filter((r) => !r.error && r.closedDuringRun > 0);
  for (const r of closed) {
    lines.push(
      "",
      `${LABEL[r.target]} closed ${r.closedDuringRun} clients during the run.`,
    );
  }
  lines.push("");
  return lines;
}

function targetsSection(results: ScenarioResult[], ns: number[]): string[] {
  const n = ns.includes(5000) ? 5000 : ns[Math.floor(ns.length / 2)];
  const at = (t: TargetName) =>
    results.find((r) => r.n === n && r.target === t && !r.error);
  const [raw, sio, sb] = [at("raw"), at("socketio"), at("switchboard")];
  if (!raw || !sb) {
    return ["## Targets", "", "Not evaluated: a target failed.", ""];
  }
  const row = (
    goal: string,
    value: number,
    limit: number,
    higherBetter: boolean,
  ) =>
    `| ${goal} | ${value.toFixed(2)}× | ${
      (higherBetter ? value >= limit : value <= limit) ? "met" : "**not met**"
    } |`;
  const lines = [
    `## Targets (Switchboard at N = ${n.toLocaleString("en-US")})`,
    "",
    "| target | measured | status |",
    "|---|---:|---|",
    row(
      "fan-out ≥ 0.9× raw",
      sb.flood.perSecond / raw.flood.perSecond,
      0.9,
      true,
    ),
    row(
      "round trips ≥ 0.8× raw",
      sb.roundTrips.perSecond / raw.roundTrips.perSecond,
      0.8,
      true,
    ),
    row(
      "memory per idle conn ≤ 1.2× raw",
      sb.rssIdleBytesPerConn / raw.rssIdleBytesPerConn,
      1.2,
      false,
    ),
    row(
      "p99 at 2/s ≤ 1.2× raw",
      sb.latency.p99Ms / raw.latency.p99Ms,
      1.2,
      false,
    ),
  ];
  if (sio) {
    lines.push(
      row(
        "fan-out ≥ 1.5× Socket.IO",
        sb.flood.perSecond / sio.flood.perSecond,
        1.5,
        true,
      ),
      row(
        "round trips ≥ 2× Socket.IO",
        sb.roundTrips.perSecond / sio.roundTrips.perSecond,
        2,
        true,
      ),
    );
  }
  lines.push("");
  return lines;
}

/** Target CPU time per operation: robust to other load, unlike the rate. */
function cpuMicros(phase: { perSecond: number; cpu: number[] }): number {
  return phase.cpu.length > 0 ? (phase.cpu[0] * 1e4) / phase.perSecond : NaN;
}

function withRatio(
  value: number,
  base: number | undefined,
  digits: number,
): string {
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  if (!base) return text;
  return `${text} (${(value / base).toFixed(2)}×)`;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10
    ? value.toFixed(2)
    : value < 100
    ? value.toFixed(1)
    : value.toFixed(0);
}

function oneLine(text: string): string {
  return text.split("\n")[0].replaceAll("|", "/").slice(0, 120);
}
