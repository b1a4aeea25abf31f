/**
 * Named-event logging with secrets redacted.
 *
 * An event is a name plus fields (`logger.log("info", "request.refused", { status })`).
 * Fields whose key looks secret, and `access_token` inside URLs, are
 * replaced before anything is written, so a careless call cannot leak a
 * token, a cookie or a password. Inside an OpenTelemetry span a line also
 * carries the span's `trace_id` and `span_id`.
 *
 * @module
 */

import { activeTraceIds } from "./trace_context.ts";

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields of one event. */
export type LogFields = Record<string, unknown>;

/** Where hub events go. */
export interface Logger {
  /** Writes `event` with `fields` at `level`. */
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};
const SECRET_KEY =
  /token|password|passwd|secret|cookie|authorization|credential/i;
// Any letter case and an escaped underscore: the hub reads the query key
// as ASP.NET does (case-insensitively, decoded).
const SECRET_IN_TEXT =
  /(access(?:_|%5f)token=|bearer\s+|password=|cookie:\s*)[^&\s"';]+/gi;

/** Replaces secrets in a field value; keys decide, text is scrubbed too. */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = "[redacted]";
    else if (typeof value === "string") out[key] = redactText(value);
    else if (value instanceof Error) out[key] = redactText(value.message);
    else out[key] = value;
  }
  return out;
}

/** Scrubs `access_token=…`, bearer tokens and cookies out of free text. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, "$1[redacted]");
}

/** A logger writing one JSON line per event to stderr. */
export function consoleLogger(minLevel: LogLevel = "info"): Logger {
  return {
    log(level, event, fields = {}) {
      if (ORDER[level] < ORDER[minLevel]) return;
      const line = JSON.stringify({
        time: new Date().toISOString(),
        level,
        event,
        ...redact(fields),
        // Inside a span (OpenTelemetry on): the line joins its trace.
        ...activeTraceIds(),
      });
      console.error(line);
    },
  };
}

/** A logger that drops everything (benchmarks, noisy tests). */
export const silentLogger: Logger = { log() {} };
