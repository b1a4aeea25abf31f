/**
 * Whether OpenTelemetry is on, the active span's ids for log lines, and
 * W3C `traceparent` text for messages that cross processes.
 *
 * `traceparent` is written and read here rather than through the OTel
 * propagation API because Deno 2.5 (Deno Deploy) registers no propagator:
 * `propagation.inject` leaves the carrier empty there.
 *
 * @module
 */

import {
  type Context,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from "@opentelemetry/api";

/** Where `@opentelemetry/api` (major 1) finds registered providers. */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/**
 * True when an OpenTelemetry tracer provider is registered: Deno does so
 * before any module runs when `OTEL_DENO=true` (an SDK set up before the
 * hub is imported works too). Read once, so with telemetry off every
 * hot-path check is this one boolean.
 */
export const telemetryEnabled: boolean =
  (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL]
    ?.trace !== undefined;

/** `trace_id` and `span_id` of the active span, for log lines. */
export interface TraceIds {
  readonly trace_id: string;
  readonly span_id: string;
}

/** The active span's ids, or null outside a span or with telemetry off. */
export function activeTraceIds(): TraceIds | null {
  if (!telemetryEnabled) return null;
  const span = trace.getActiveSpan();
  if (!span) return null;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** The active span as a `traceparent` value, or undefined outside a span. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  return span ? formatTraceparent(span.spanContext()) : undefined;
}

/** `00-<trace id>-<span id>-<flags>`, the W3C Trace Context header. */
export function formatTraceparent(span: SpanContext): string {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * The remote span a `traceparent` names, or null when the text is not a
 * valid version-00 value (all-zero ids are invalid): a foreign or garbled
 * message is delivered untraced rather than refused.
 */
export function parseTraceparent(text: unknown): SpanContext | null {
  if (typeof text !== "string") return null;
  const match = TRACEPARENT.exec(text);
  if (!match || match[1] === ZERO_TRACE || match[2] === ZERO_SPAN) return null;
  return {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
  };
}

/** A context whose parent is the remote span, or the root context. */
export function contextFrom(traceparent: unknown): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}
