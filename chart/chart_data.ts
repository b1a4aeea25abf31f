/**
 * Chart data: what the feed sends and what clients may send back, within
 * the contract's limits (chart_contract.ts).
 *
 * @module
 */

import { HubError } from "../hub/mod.ts";
import {
  MAX_LABEL_LENGTH,
  MAX_POINTS,
  MAX_SERIES,
  type WireSeries,
} from "./chart_contract.ts";

/** Four series `Data1`..`Data4`, each one random whole number 1..40. */
export function randomChartData(): WireSeries[] {
  const out: WireSeries[] = [];
  for (let i = 1; i <= 4; i++) {
    out.push({ data: [1 + Math.floor(Math.random() * 40)], label: `Data${i}` });
  }
  return out;
}

/** Returns `value` as chart data, or throws a HubError saying what is wrong. */
export function parseChartData(value: unknown): WireSeries[] {
  if (!Array.isArray(value)) {
    throw new HubError("Chart data must be an array of series");
  }
  if (value.length > MAX_SERIES) {
    throw new HubError(`Chart data may have at most ${MAX_SERIES} series`);
  }
  return value.map(parseSeries);
}

function parseSeries(value: unknown, index: number): WireSeries {
  const s = value as Partial<WireSeries> | null;
  if (typeof s !== "object" || s === null || Array.isArray(s)) {
    throw new HubError(`Series ${index} must be an object`);
  }
  if (typeof s.label !== "string" || s.label.length > MAX_LABEL_LENGTH) {
    throw new HubError(
      `Series ${index} needs a label of at most ${MAX_LABEL_LENGTH} characters`,
    );
  }
  if (!Array.isArray(s.data) || s.data.length > MAX_POINTS) {
    throw new HubError(
      `Series ${index} needs 'data': an array of at most ${MAX_POINTS} numbers`,
    );
  }
  if (!s.data.every((n) => typeof n === "number" && Number.isFinite(n))) {
    throw new HubError(`Series ${index} may hold finite numbers only`);
  }
  return { data: s.data, label: s.label };
}
