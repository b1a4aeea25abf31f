/**
 * A real browser across origins: a plain page served from one origin
 * loads the official client's browser bundle and runs the article's
 * scenario against the hub on another origin listed in ALLOWED_ORIGINS,
 * over WebSockets, SSE and long polling. A page from an unlisted origin
 * cannot connect.
 */

import type { Page } from "playwright-core";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import {
  chromiumMissing,
  launchBrowser,
  screenshotOnFailure,
} from "../web/testing/browser.ts";

/** The official client's browser bundle, from Deno's npm cache. */
const BUNDLE = new URL(
  "../browser/signalr.js",
  import.meta.resolve("@microsoft/signalr"),
);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>cross-origin</title>
<script src="/signalr.js"></script></head>
<body><p>plain page on another origin</p></body></html>`;

/** A tiny site on its own port: the page and the client bundle. */
function startSite(): { origin: string; server: Deno.HttpServer } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/signalr.js") {
        return new Response(await Deno.readFile(BUNDLE), {
          headers: { "content-type": "text/javascript; charset=utf-8" },
        });
      }
      if (path === "/") {
        return new Response(PAGE, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      return new Response("Not found", { status: 404 });
    },
  );
  const port = (server.addr as Deno.NetAddr).port;
  return { origin: `http://127.0.0.1:${port}`, server };
}

interface ScenarioResult {
  transport: string;
  idMatches: boolean;
  labels: string[];
  reply: unknown;
  seenByB: number;
}

/** Runs the two-client scenario inside the page (the browser's fetch/WS/EventSource). */
function runScenario(
  page: Page,
  hubUrl: string,
  transport: number,
): Promise<ScenarioResult> {
  return page.evaluate(async ({ hubUrl, transport }) => {
    // deno-lint-ignore no-explicit-any
    const signalR = (globalThis as any).signalR;
    const build = () =>
      new signalR.HubConnectionBuilder()
        .withUrl(hubUrl, { transport })
        .configureLogging(signalR.LogLevel.None)
        .build();
    // deno-lint-ignore no-explicit-any
    const next = (c: any, event: string) =>
      new Promise<unknown>((resolve) => {
        const handler = (value: unknown) => {
          c.off(event, handler);
          resolve(value);
        };
        c.on(event, handler);
      });
    const a = build();
    const b = build();
    await a.start();
    await b.start();
    try {
      const idA = await a.invoke("GetConnectionId");
      let seenByB = 0;
      b.on("broadcastchartdata", () => {
        seenByB++;
      });
      const feed = await next(a, "transferchartdata") as { label: string }[];
      const reply = next(a, "broadcastchartdata");
      await a.invoke(
        "BroadcastChartData",
        [{ data: [1, 2, 3], label: "Mine" }],
        idA,
      );
      const result = {
        transport: a.connection.transport.constructor.name,
        idMatches: idA === a.connectionId,
        labels: feed.map((s) => s.label),
        reply: await reply,
        seenByB: 0,
      };
      await next(b, "transferchartdata");
      result.seenByB = seenByB;
      return result;
    } finally {
      await a.stop();
      await b.stop();
    }
  }, { hubUrl, transport });
}

/** Tries to start a connection from the page; returns the error text. */
function failedStart(
  page: Page,
  hubUrl: string,
  options: Record<string, unknown>,
): Promise<string> {
  return page.evaluate(async ({ hubUrl, options }) => {
    // deno-lint-ignore no-explicit-any
    const signalR = (globalThis as any).signalR;
    const c = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl, options)
      .configureLogging(signalR.LogLevel.None)
      .build();
    try {
      await c.start();
      await c.stop();
      return "connected";
    } catch (error) {
      return String((error as Error).message);
    }
  }, { hubUrl, options });
}

const TRANSPORTS: [string, number][] = [
  ["WebSocketTransport", 1],
  ["ServerSentEventsTransport", 2],
  ["LongPollingTransport", 4],
];

Deno.test({
  name:
    "Chromium: a page on an allowed origin runs the scenario cross-origin over WS, SSE and LP; others are refused",
  ignore: await chromiumMissing(),
  async fn() {
    const site = startSite();
    const stranger = startSite();
    const app = await startTestServer({
      feedIntervalMs: 100,
      env: { ALLOWED_ORIGINS: site.origin },
    });
    const browser = await launchBrowser();
    const pages: Page[] = [];
    try {
      const page = await browser.newPage();
      pages.push(page);
      await page.goto(site.origin + "/");
      const hubUrl = `${app.url}/chart`;
      assertOk(new URL(hubUrl).origin !== site.origin, "cross-origin");
      await screenshotOnFailure(pages, "browser-cors", async () => {
        for (const [name, transport] of TRANSPORTS) {
          const result = await runScenario(page, hubUrl, transport);
          assertEquals(result, {
            transport: name,
            idMatches: true,
            labels: ["Data1", "Data2", "Data3", "Data4"],
            reply: [{ data: [1, 2, 3], label: "Mine" }],
            seenByB: 0,
          }, name);
        }
        const refusedBefore = app.hub.counters.connectionsRefused;
        const other = await browser.newPage();
        pages.push(other);
        await other.goto(stranger.origin + "/");
        const negotiated = await failedStart(other, hubUrl, {});
        assertOk(/Failed to complete negotiation/.test(negotiated), negotiated);
        const direct = await failedStart(other, hubUrl, {
          transport: 1,
          skipNegotiation: true,
        });
        assertOk(/WebSocket failed to connect/.test(direct), direct);
        // Both were refused by the origin check (preflight and upgrade).
        assertOk(app.hub.counters.connectionsRefused >= refusedBefore + 2);
      });
      // Stopped clients leave once the server has seen their transport end
      // (an SSE stream's cancel, a long poll's DELETE), which can trail the
      // client's stop() under load.
      await waitUntil(
        () => app.hub.sizes().store === 0,
        "every stopped connection gone",
      );
    } finally {
      await browser.close();
      await app.close();
      await site.server.shutdown();
      await stranger.server.shutdown();
    }
  },
});
