/**
 * The headline table: the public-contract workload's figures for raw
 * Deno, Socket.IO 4.8 and Switchboard, each the median of the repeats,
 * with Switchboard's ratio to both and the target, met or missed.
 *
 * @module
 */

import type { ContractTarget } from "./contract_dialect.ts";
import type { ContractOutcome } from "./contract_run.ts";
import type { ContractResult } from "./contract_worker.ts";

interface Figure {
  label: string;
  read: (r: ContractResult) => number;
  format: (v: number) => string;
  /** Switchboard ÷ raw must be ≥ (or ≤) this; none: no target. */
  target?: { op: "≥" | "≤"; ratio: number; alsoSocketIo?: boolean };
}

const int = (v: number) => Math.round(v).toLocaleString("en-US");
const msOrS = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
const kb = (v: number) => `${(v / 1024).toFixed(1)} KB`;
const mb = (v: number) => `${(v / (1 << 20)).toFixed(0)} MB`;

const FIGURES: Figure[] = [
  {
    label: "fan-out flood deliveries/s",
    read: (r) => r.flood.perSecond,
    format: int,
    target: { op: "≥", ratio: 3, alsoSocketIo: true },
  },
  {
    label: "deliveries per server CPU-second",
    read: (r) => r.flood.perCpuSecond,
    format: int,
  },
  {
    label: "flood: first recipient",
    read: (r) => r.flood.firstMs,
    format: msOrS,
    target: { op: "≤", ratio: 0.3 },
  },
  { label: "flood latency p50", read: (r) => r.flood.p50Ms, format: msOrS },
  {
    label: "flood latency p99",
    read: (r) => r.flood.p99Ms,
    format: msOrS,
    target: { op: "≤", ratio: 0.3 },
  },
  {
    label: "p99 at 2 broadcasts/s",
    read: (r) => r.paced.p99Ms,
    format: msOrS,
    target: { op: "≤", ratio: 1.1 },
  },
  {
    label: "round trips/s",
    read: (r) => r.roundTrips.perSecond,
    format: int,
    target: { op: "≥", ratio: 0.9 },
  },
  {
    label: "server CPU per round trip",
    read: (r) => r.roundTrips.serverCpuUs,
    format: (v) => `${v.toFixed(1)} µs`,
  },
  {
    label: "load generator CPU per round trip",
    read: (r) => r.roundTrips.clientCpuUs,
    format: (v) => `${v.toFixed(1)} µs`,
  },
  {
    label: "memory per idle connection",
    read: (r) => r.idleBytesPerConn,
    format: kb,
    target: { op: "≤", ratio: 1.15 },
  },
  {
    label: "connects/s",
    read: (r) => r.connectsPerSecond,
    format: int,
    target: { op: "≥", ratio: 0.7 },
  },
  {
    label: "server CPU per connect",
    read: (r) => r.connectServerCpuUs,
    format: (v) => `${v.toFixed(0)} µs`,
  },
  {
    label: "load generator CPU per connect",
    read: (r) => r.connectClientCpuUs,
    format: (v) => `${v.toFixed(0)} µs`,
  },
  {
    label: "server RSS after the flood",
    read: (r) => r.flood.rssAfterBytes,
    format: mb,
    target: { op: "≤", ratio: 0.8 },
  },
];

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianOf(
  outcomes: ContractOutcome[],
  target: ContractTarget,
  figure: Figure,
): number {
  const ok = outcomes.filter((o): o is ContractResult =>
    o.target === target && !("error" in o)
  );
  return median(ok.map(figure.read));
}

const ratio = (a: number, b: number) =>
  Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a";

function verdict(figure: Figure, sb: number, raw: number, sio: number) {
  const t = figure.target;
  if (!t) return "";
  const pass = (r: number) => t.op === "≥" ? r >= t.ratio : r <= t.ratio;
  const goal = `${t.op} ${t.ratio}×${t.alsoSocketIo ? " (both)" : ""}`;
  const met = pass(sb / raw) && (!t.alsoSocketIo || pass(sb / sio));
  if (!Number.isFinite(sb / raw)) return `${goal}: no figure`;
  return `${goal}: ${met ? "met" : "**missed**"}`;
}

/** The headline table and the runs behind it, as Markdown lines. */
export function renderContract(
  outcomes: ContractOutcome[],
  repeats: number,
): string[] {
  const n = outcomes[0]?.n ?? 0;
  const lines = [
    `## Headline: the public contract, N = ${n.toLocaleString("en-US")}`,
    "",
    `Every client negotiates (\`POST /chart/negotiate?negotiateVersion=1\`),`,
    "opens a WebSocket, completes the JSON handshake and pings every 15 s;",
    "Switchboard is the app started with the `deno task start` command and",
    '`MAX_CONNECTIONS_PER_ADDRESS=0`. Flood: 60 `BroadcastToGroup("bench")`',
    "back to back from one more client; paced: 2/s for 4 s; round trips: 100",
    "closed-loop `GetConnectionId()` callers for 3 s; connects with 100",
    `handshakes in flight. Each figure is the median of ${repeats} repeats;`,
    "ratios are Switchboard to the other target.",
    "",
    "| figure | raw Deno | Socket.IO 4.8 | Switchboard | vs raw | vs Socket.IO | target (vs raw) |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const f of FIGURES) {
    const raw = medianOf(outcomes, "raw", f);
    const sio = medianOf(outcomes, "socketio", f);
    const sb = medianOf(outcomes, "switchboard", f);
    const cell = (v: number) => Number.isFinite(v) ? f.format(v) : "—";
    lines.push(
      `| ${f.label} | ${cell(raw)} | ${cell(sio)} | ${cell(sb)} | ${
        ratio(sb, raw)
      } | ${ratio(sb, sio)} | ${verdict(f, sb, raw, sio)} |`,
    );
  }
  const failures = outcomes.filter((o) => "error" in o);
  for (const o of failures) {
    lines.push(
      "",
      `- ${o.target} failed a repeat: ${"error" in o ? o.error : ""}`,
    );
  }
  const short = outcomes.filter((o): o is ContractResult =>
    !("error" in o) && o.flood.delivered < o.flood.expected
  );
  for (const o of short) {
    lines.push(
      "",
      `- ${o.target}: the flood delivered ${o.flood.delivered} of ${o.flood.expected}`,
    );
  }
  return [...lines, ""];
}
