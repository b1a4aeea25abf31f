/**
 * OpenTelemetry spans of a hub, named and attributed as ASP.NET Core
 * SignalR names them: `<Hub>/<Method>` per invocation, `<Hub>/OnConnectedAsync`
 * and `<Hub>/OnDisconnectedAsync` for the hooks, and `<Hub>/deliver` where a
 * message from another process is delivered, in the sender's trace.
 *
 * Deno exports them when `OTEL_DENO=true`; otherwise `enabled` is false and
 * callers skip every method here behind that one check.
 *
 * @module
 */

import {
  type Attributes,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { InvokeMessage } from "./backplane/backplane.ts";
import {
  activeTraceparent,
  contextFrom,
  telemetryEnabled,
} from "./trace_context.ts";
import {
  INSTRUMENTATION_NAME,
  type MeasuredConnection,
  TelemetryMetrics,
} from "./telemetry_metrics.ts";

/** What `error.type` says: the error's class, or `_OTHER` (semconv). */
export function errorType(error: unknown): string {
  return error instanceof Error
    ? error.constructor.name || error.name
    : "_OTHER";
}

/** Lifecycle hooks, with the names .NET gives their spans. */
export type HookName = "OnConnectedAsync" | "OnDisconnectedAsync";

/** Spans and metrics of one hub. */
export class HubTelemetry {
  /** False when OpenTelemetry is off: callers then call nothing here. */
  readonly enabled: boolean;
  /** `rpc.service` and the first part of every span name. */
  readonly hubName: string;
  /** Connection metrics and the `/metrics` counters as instruments. */
  readonly metrics: TelemetryMetrics;
  readonly #tracer = trace.getTracer(INSTRUMENTATION_NAME);
  /**
   * Spans of invocations and hooks still running → whether `error.type`
   * is set. A WeakMap: an entry lives no longer than its span.
   */
  readonly #running = new WeakMap<Span, boolean>();

  /** Telemetry for the hub `hubName`; off unless OpenTelemetry is on. */
  constructor(hubName: string, enabled: boolean = telemetryEnabled) {
    this.hubName = hubName;
    this.enabled = enabled;
    this.metrics = new TelemetryMetrics(hubName, enabled);
  }

  /**
   * Runs one invocation of `method` (the declared name) inside its span.
   * `run` reports failures through `failed`; it settles, never rejects.
   * Unknown methods (`method` undefined) get no span.
   */
  invocation(
    connection: MeasuredConnection,
    method: string | undefined,
    run: () => Promise<void> | undefined,
  ): Promise<void> | undefined {
    if (method === undefined) return run();
    const span = this.#start(connection, method, SpanKind.SERVER);
    let pending: Promise<void> | undefined;
    try {
      pending = context.with(trace.setSpan(ROOT_CONTEXT, span), run);
    } catch (error) {
      this.#end(span, error);
      throw error;
    }
    if (!pending) return this.#end(span);
    return pending.finally(() => this.#end(span));
  }

  /**
   * Marks the running invocation failed: status ERROR and `error.type`
   * (first failure wins; `undefined` for refusals without an error).
   */
  failed(error: unknown): void {
    const span = trace.getActiveSpan();
    if (span) this.#fail(span, error);
  }

  /** Runs `onConnected` or `onDisconnected` inside its span. */
  hook(
    connection: MeasuredConnection,
    name: HookName,
    run: () => void | Promise<void>,
  ): void | Promise<void> {
    const span = this.#start(connection, name, SpanKind.INTERNAL);
    let result: void | Promise<void>;
    try {
      result = context.with(trace.setSpan(ROOT_CONTEXT, span), run);
    } catch (error) {
      this.#end(span, error);
      throw error;
    }
    if (!(result instanceof Promise)) return this.#end(span);
    return result.then(
      () => this.#end(span),
      (error) => {
        this.#end(span, error);
        throw error;
      },
    );
  }

  /**
   * `message` with the active span's trace context, so the process that
   * delivers it continues this trace; unchanged outside a span.
   */
  stamp(message: InvokeMessage): InvokeMessage {
    const traceparent = activeTraceparent();
    return traceparent ? { ...message, traceparent } : message;
  }

  /**
   * Delivers a message from another process inside `<Hub>/deliver`, a
   * child of the sender's span when `traceparent` is valid.
   */
  deliver(message: InvokeMessage, run: () => number): number {
    const span = this.#tracer.startSpan(`${this.hubName}/deliver`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        "rpc.system": "signalr",
        "rpc.service": this.hubName,
        "signalr.client_method": message.method,
      },
    }, contextFrom(message.traceparent));
    this.#running.set(span, false);
    let delivered: number;
    try {
      delivered = context.with(trace.setSpan(ROOT_CONTEXT, span), run);
    } catch (error) {
      this.#end(span, error);
      throw error;
    }
    span.setAttribute("signalr.delivered", delivered);
    this.#end(span);
    return delivered;
  }

  /**
   * A root span: an invocation's parent would otherwise be the HTTP
   * request that opened the connection, and every call of a long-lived
   * WebSocket would pile into one trace.
   */
  #start(connection: MeasuredConnection, method: string, kind: SpanKind): Span {
    const attributes: Attributes = {
      "rpc.system": "signalr",
      "rpc.service": this.hubName,
      "rpc.method": method,
      ...this.metrics.connectionAttributes(connection),
    };
    const span = this.#tracer.startSpan(`${this.hubName}/${method}`, {
      kind,
      root: true,
      attributes,
    });
    this.#running.set(span, false);
    return span;
  }

  #fail(span: Span, error: unknown): void {
    // Ours and not yet typed; spans of other code or ended ones are left.
    if (this.#running.get(span) !== false) return;
    this.#running.set(span, true);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("error.type", errorType(error));
  }

  #end(span: Span, error?: unknown): undefined {
    if (error !== undefined) this.#fail(span, error);
    this.#running.delete(span);
    span.end();
  }
}
