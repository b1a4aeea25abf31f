/**
 * A tiny OTLP/HTTP receiver (JSON encoding) on 127.0.0.1: what a collector
 * would get from a process run with `OTEL_DENO=true`, flattened into
 * spans, metric points and log records for tests to assert on.
 *
 * @module
 */

/** Requests kept per signal; an export beyond it is refused (413). */
const MAX_EXPORTS = 2_000;

/** An OTLP attribute list, as `key → plain value`. */
export type Attrs = Record<string, unknown>;

/** One received span. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Attrs;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Attrs;
  /** Start and end, nanoseconds since the epoch. */
  readonly start: bigint;
  readonly end: bigint;
}

/** One data point of a metric in one export (cumulative). */
export interface ReceivedPoint {
  readonly attributes: Attrs;
  /** Sum and gauge points. */
  readonly value?: number;
  /** Histogram points. */
  readonly count?: number;
  readonly sum?: number;
  readonly timeUnixNano: string;
  readonly resource: Attrs;
}

/** One received log record. */
export interface ReceivedLog {
  readonly body: string;
  readonly traceId: string;
  readonly spanId: string;
}

// deno-lint-ignore no-explicit-any
type Json = any;

function attrs(list: Json[] | undefined): Attrs {
  const out: Attrs = {};
  for (const { key, value } of list ?? []) out[key] = plain(value);
  return out;
}

function plain(value: Json): unknown {
  if (value === undefined || value === null) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  return value;
}

/** A running receiver; `env` points a child process at it. */
export class OtlpReceiver {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #bodies: Record<"traces" | "metrics" | "logs", Json[]> = {
    traces: [],
    metrics: [],
    logs: [],
  };

  private constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#receive(request),
    );
  }

  /** Starts listening on a free loopback port. */
  static start(): OtlpReceiver {
    return new OtlpReceiver();
  }

  async #receive(request: Request): Promise<Response> {
    const signal = new URL(request.url).pathname.replace(/^\/v1\//, "");
    if (
      request.method !== "POST" ||
      (signal !== "traces" && signal !== "metrics" && signal !== "logs")
    ) {
      return new Response("Not found", { status: 404 });
    }
    const bodies = this.#bodies[signal];
    if (bodies.length >= MAX_EXPORTS) {
      await request.body?.cancel();
      return new Response("Too many exports", { status: 413 });
    }
    bodies.push(await request.json());
    return Response.json({});
  }

  /** `OTEL_*` variables that make Deno export here every 100 ms. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${this.#server.addr.port}`,
      OTEL_METRIC_EXPORT_INTERVAL: "100",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      ...extra,
    };
  }

  /** Every span received so far. */
  spans(): ReceivedSpan[] {
    const out: ReceivedSpan[] = [];
    for (const body of this.#bodies.traces) {
      for (const rs of body.resourceSpans ?? []) {
        const resource = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            out.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? "",
              name: s.name,
              kind: s.kind,
              attributes: attrs(s.attributes),
              statusCode: s.status?.code ?? 0,
              resource,
              start: BigInt(s.startTimeUnixNano),
              end: BigInt(s.endTimeUnixNano),
            });
          }
        }
      }
    }
    return out;
  }

  /** The one span named `name`; throws when there is none or several. */
  span(name: string): ReceivedSpan {
    const found = this.spans().filter((s) => s.name === name);
    if (found.length !== 1) {
      throw new Error(
        `Expected one span '${name}', got ${found.length}: ` +
          this.spans().map((s) => s.name).join(", "),
      );
    }
    return found[0];
  }

  /** Every point of metric `name`, in export order. */
  points(name: string): ReceivedPoint[] {
    const out: ReceivedPoint[] = [];
    for (const body of this.#bodies.metrics) {
      for (const rm of body.resourceMetrics ?? []) {
        const resource = attrs(rm.resource?.attributes);
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            if (m.name === name) out.push(...dataPoints(m, resource));
          }
        }
      }
    }
    return out;
  }

  /**
   * The latest value of metric `name` for each attribute set, keyed by
   * the values of `keys` joined with `/` (exports are cumulative).
   */
  latest(name: string, keys: string[]): Map<string, ReceivedPoint> {
    const out = new Map<string, ReceivedPoint>();
    for (const point of this.points(name)) {
      const key = keys.map((k) => String(point.attributes[k])).join("/");
      const seen = out.get(key);
      if (!seen || BigInt(seen.timeUnixNano) <= BigInt(point.timeUnixNano)) {
        out.set(key, point);
      }
    }
    return out;
  }

  /** Every log record received so far. */
  logs(): ReceivedLog[] {
    const out: ReceivedLog[] = [];
    for (const body of this.#bodies.logs) {
      for (const rl of body.resourceLogs ?? []) {
        for (const sl of rl.scopeLogs ?? []) {
          for (const r of sl.logRecords ?? []) {
            out.push({
              body: String(plain(r.body) ?? ""),
              traceId: r.traceId ?? "",
              spanId: r.spanId ?? "",
            });
          }
        }
      }
    }
    return out;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }
}

function dataPoints(metric: Json, resource: Attrs): ReceivedPoint[] {
  const data = metric.sum ?? metric.gauge ?? metric.histogram;
  return (data?.dataPoints ?? []).map((p: Json) => ({
    attributes: attrs(p.attributes),
    value: p.asInt !== undefined
      ? Number(p.asInt)
      : p.asDouble !== undefined
      ? Number(p.asDouble)
      : undefined,
    count: p.count !== undefined ? Number(p.count) : undefined,
    sum: p.sum,
    timeUnixNano: String(p.timeUnixNano),
    resource,
  }));
}
