import assert from "node:assert/strict";
import { withSite } from "./helpers/fixture_server.ts";
import {
  chromiumMissing,
  collectPageErrors,
  launchBrowser,
  screenshotOnFailure,
} from "./helpers/browser.ts";

Deno.test({
  name:
    "islands hydrate in Chromium with revived props; signal props stay live",
  ignore: await chromiumMissing(),
  async fn() {
    const browser = await launchBrowser();
    try {
      await withSite({ greeting: "hi" }, async (base) => {
        const page = await browser.newPage();
        const errors = collectPageErrors(page);
        const scripts: string[] = [];
        page.on(
          "request",
          (r) => r.resourceType() === "script" && scripts.push(r.url()),
        );
        await screenshotOnFailure([page], "islands", async () => {
          await page.goto(base);
          // Hydrated when the click handler works: the count is a revived signal.
          await page.click(".counter button");
          await page.waitForFunction(
            () =>
              document.querySelector('[data-testid="count"]')?.textContent ===
                "42",
          );
          assert.equal(
            await page.innerText('[data-testid="since"]'),
            "1970-01-01T00:00:00.000Z",
          );
          assert.equal(await page.innerText('[data-testid="tags"]'), "a");
          assert.equal(
            await page.innerText('[data-testid="note"]'),
            "</script><b>x</b>",
          );
          assert.ok(
            scripts.every((u) => !u.includes("Greeting-")),
            "only this page's islands load",
          );

          await page.goto(`${base}/users/new`);
          await page.click(".greeting");
          await page.waitForFunction(
            () =>
              document.querySelector(".greeting")?.textContent === "Hello Ada",
          );

          scripts.length = 0;
          await page.goto(`${base}/plain`);
          assert.deepEqual(
            scripts,
            [],
            "a page without islands loads no script",
          );
          assert.deepEqual(errors, []);
        });
      });
    } finally {
      await browser.close();
    }
  },
});
