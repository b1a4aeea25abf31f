/**
 * Retakes static/screenshot.png (the README's picture of the chart page):
 * `deno run -A tests/helpers/readme_screenshot.ts`. It starts the app, lets
 * the chart fill, asks for a private reply and joins a group first.
 *
 * @module
 */

import { startServer } from "../../main.ts";
import { silentLogger } from "../../hub/mod.ts";
import { launchBrowser } from "./browser.ts";

const OUT = new URL("../../static/screenshot.png", import.meta.url);
const WAIT = { timeout: 30_000 };

if (import.meta.main) {
  const app = await startServer({
    hostname: "127.0.0.1",
    port: 0,
    env: {},
    logger: silentLogger,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(app.url);
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="live-chart"]')?.getAttribute(
            "data-updates",
          ),
        ) >= 12,
      null,
      WAIT,
    );
    await page.click('[data-testid="live-chart"]');
    await page.waitForSelector(
      '[data-testid="private-response"][data-state="filled"]',
      WAIT,
    );
    await page.click('[data-testid="group-join"]');
    await page.waitForSelector(".chips li", WAIT);
    await page.click('[data-testid="group-send"]');
    await page.waitForSelector('[data-testid="received-messages"] li', WAIT);
    // Move off the chart so no tooltip is caught mid-fade.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(800);
    await page.screenshot({ path: OUT.pathname, fullPage: true });
    console.log(`Wrote ${OUT.pathname}`);
  } finally {
    await browser.close();
    await app.close();
  }
}
