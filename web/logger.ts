/**
 * The web layer's own logging interface. Any object with this `log` method
 * fits (the hub's logger does), so web/ depends on no other layer.
 *
 * @module
 */

/** Severity, lowest first. */
export type WebLogLevel = "debug" | "info" | "warn" | "error";

/** Where web events (`web.build`, `web.request_failed`, …) go. */
export interface WebLogger {
  /** Writes `event` with `fields` at `level`. */
  log(
    level: WebLogLevel,
    event: string,
    fields?: Record<string, unknown>,
  ): void;
}

/** The default: one JSON line per event on stderr; errors as their message. */
export const stderrWebLogger: WebLogger = {
  log(level, event, fields = {}) {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      plain[key] = value instanceof Error ? value.message : value;
    }
    console.error(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        event,
        ...plain,
      }),
    );
  },
};
