/**
 * The private panel: the hub's `broadcastchartdata` answer to this tab,
 * drawn as bars so it reads at a glance and as text for screen readers.
 *
 * @module
 */

import type { ChartSeries } from "./chart_series.ts";
import { seriesColor } from "./chart_series.ts";

/** A private reply and when it arrived. */
export interface Reply {
  readonly series: ChartSeries[];
  readonly at: Date;
}

/** Bars are drawn against this value (the feed sends 1..40). */
const SCALE_MAX = 40;

/** The private reply panel; empty until this tab asks. */
export function PrivateReply({ reply }: { reply: Reply | null }) {
  return (
    <section
      class="private"
      data-testid="private-response"
      data-state={reply ? "filled" : "empty"}
      aria-live="polite"
      aria-labelledby="private-title"
    >
      <h3 id="private-title">Private reply</h3>
      {reply
        ? (
          <>
            <p class="muted">
              Sent to this tab only at{" "}
              <time dateTime={reply.at.toISOString()}>
                {reply.at.toLocaleTimeString([], { hour12: false })}
              </time>
            </p>
            <ul class="bars">
              {reply.series.map((s, i) => {
                const value = s.data.at(-1) ?? 0;
                const width = Math.max(
                  2,
                  Math.min(100, (value / SCALE_MAX) * 100),
                );
                return (
                  <li key={s.label} data-testid="private-value">
                    <span class="bar-label">{s.label}</span>
                    <span class="bar-track">
                      <span
                        class="bar"
                        style={{
                          width: `${width}%`,
                          background: seriesColor(i),
                        }}
                      />
                    </span>
                    <span class="bar-value">{value}</span>
                  </li>
                );
              })}
            </ul>
          </>
        )
        : (
          <p class="muted">
            Nothing yet. Click the chart to get a reply only this tab sees.
          </p>
        )}
    </section>
  );
}
