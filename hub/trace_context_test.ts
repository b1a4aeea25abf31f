import assert from "node:assert/strict";
import {
  contextFrom,
  formatTraceparent,
  parseTraceparent,
  telemetryEnabled,
} from "./trace_context.ts";
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

Deno.test("traceparent: written and read back", () => {
  const text = formatTraceparent({
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: 1,
  });
  assert.equal(text, `00-${TRACE}-${SPAN}-01`);
  assert.deepEqual(parseTraceparent(text), {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: 1,
    isRemote: true,
  });
  const parent = trace.getSpanContext(contextFrom(text));
  assert.equal(parent?.traceId, TRACE);
  assert.equal(parent?.spanId, SPAN);
});

Deno.test("traceparent: anything else is no parent, never an error", () => {
  for (
    const bad of [
      undefined,
      42,
      "",
      `01-${TRACE}-${SPAN}-01`, // unknown version
      `00-${"0".repeat(32)}-${SPAN}-01`, // all-zero trace id
      `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero span id
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
    ]
  ) {
    assert.equal(parseTraceparent(bad), null, String(bad));
    assert.equal(contextFrom(bad), ROOT_CONTEXT);
  }
});

Deno.test("telemetry is off unless OpenTelemetry is registered", () => {
  // Tests run without OTEL_DENO: every hub skips tracing on one boolean.
  assert.equal(telemetryEnabled, Deno.env.get("OTEL_DENO") === "true");
});
