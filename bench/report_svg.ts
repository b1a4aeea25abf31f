/**
 * Draws fan-out latency at the fixed broadcast rate (p50 dashed, p99 solid)
 * by N for every target, as a small standalone SVG written by hand so the
 * bench needs no charting dependency.
 *
 * @module
 */

import type { ScenarioResult } from "./scenario.ts";
import type { TargetName } from "./target_process.ts";

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 64, right: 170, top: 40, bottom: 48 };
const COLOR: Record<TargetName, string> = {
  raw: "#6b7280",
  minimal: "#10b981",
  socketio: "#d97706",
  switchboard: "#2563eb",
};
const LABEL: Record<TargetName, string> = {
  raw: "raw Deno WS",
  minimal: "minimal SignalR (reference)",
  socketio: "Socket.IO 4.8",
  switchboard: "Switchboard",
};

/** The chart as SVG text. */
export function renderLatencySvg(
  results: ScenarioResult[],
  rateHz: number,
): string {
  const ok = results.filter((r) =>
    !r.error && Number.isFinite(r.latency.p99Ms)
  );
  const ns = [...new Set(ok.map((r) => r.n))].sort((a, b) => a - b);
  const maxMs = niceCeiling(Math.max(1, ...ok.map((r) => r.latency.p99Ms)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (n: number) =>
    PAD.left +
    (ns.length === 1 ? plotW / 2 : (ns.indexOf(n) / (ns.length - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / maxMs) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="22" font-size="14" font-weight="bold">Fan-out latency at ${rateHz} broadcasts/s (ms, lower is better)</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxMs / 4) * i;
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(v)}" y2="${
        y(v)
      }" stroke="#e5e7eb"/>`,
      `<text x="${PAD.left - 8}" y="${y(v) + 4}" text-anchor="end">${
        round(v)
      }</text>`,
    );
  }
  for (const n of ns) {
    parts.push(
      `<text x="${x(n)}" y="${PAD.top + plotH + 20}" text-anchor="middle">N = ${
        n.toLocaleString("en-US")
      }</text>`,
    );
  }
  const targets = [...new Set(ok.map((r) => r.target))];
  targets.forEach((target, row) => {
    const rows = ok.filter((r) => r.target === target).sort((a, b) =>
      a.n - b.n
    );
    for (
      const [key, dash] of [["p99Ms", ""], [
        "p50Ms",
        ' stroke-dasharray="5 4"',
      ]] as const
    ) {
      const points = rows.map((r) => `${x(r.n)},${y(r.latency[key])}`).join(
        " ",
      );
      parts.push(
        `<polyline points="${points}" fill="none" stroke="${
          COLOR[target]
        }" stroke-width="2"${dash}/>`,
        ...rows.map((r) =>
          `<circle cx="${x(r.n)}" cy="${y(r.latency[key])}" r="3" fill="${
            COLOR[target]
          }"/>`
        ),
      );
    }
    const ly = PAD.top + 10 + row * 22;
    parts.push(
      `<line x1="${WIDTH - PAD.right + 16}" x2="${
        WIDTH - PAD.right + 40
      }" y1="${ly}" y2="${ly}" stroke="${COLOR[target]}" stroke-width="2"/>`,
      `<text x="${WIDTH - PAD.right + 46}" y="${ly + 4}">${
        LABEL[target]
      }</text>`,
    );
  });
  const ky = PAD.top + 10 + targets.length * 22 + 10;
  parts.push(
    `<text x="${
      WIDTH - PAD.right + 16
    }" y="${ky}" fill="#374151">solid: p99, dashed: p50</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

function niceCeiling(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= v) return step * magnitude;
  }
  return 10 * magnitude;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
