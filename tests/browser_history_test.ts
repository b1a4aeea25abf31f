/**
 * The "show the last N points" button in real Chromium: the island streams
 * `StreamChartHistory` through the typed wrapper and redraws the chart.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import {
  chromiumMissing,
  launchBrowser,
  screenshotOnFailure,
} from "./helpers/browser.ts";

/** Generous ceiling for waits; a pass never depends on it. */
const WAIT = { timeout: 30_000 };

Deno.test({
  name: "the history button draws the server's last points on the chart",
  ignore: await chromiumMissing(),
  async fn() {
    const app = await startTestServer({ feedIntervalMs: 50 });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await screenshotOnFailure([page], "history", async () => {
        await page.goto(app.url);
        await page.waitForSelector(
          '[data-testid="connection-state"][data-state="connected"]',
          WAIT,
        );
        // Once the tab has drawn 3 updates the server has kept at least 3.
        await page.waitForFunction(
          () =>
            Number(
              document.querySelector('[data-testid="live-chart"]')!
                .getAttribute("data-updates"),
            ) >= 3,
          null,
          WAIT,
        );
        await page.click('[data-testid="history-request"]');
        const status = page.locator('[data-testid="history-status"]');
        await status.waitFor(WAIT);
        const drawn = Number(
          /Drew (\d+) past points/.exec(
            await status.innerText(),
          )?.[1],
        );
        assert.ok(drawn >= 3 && drawn <= 30, `drew ${drawn}`);
        assert.equal(await page.locator(".problem").count(), 0);
      });
    } finally {
      await browser.close();
      await app.close();
    }
  },
});
