/**
 * The Fresh 2 fixture app's islands hydrate in Chromium: a top-level
 * island (with `IS_BROWSER` and `asset()`) and a route-local one from a
 * `(_islands)` folder.
 */

import assert from "node:assert/strict";
import { withFreshApp } from "./helpers/fresh_fixture.ts";
import {
  chromiumMissing,
  collectPageErrors,
  launchBrowser,
  screenshotOnFailure,
} from "./helpers/browser.ts";

Deno.test({
  name: "Fresh fixture app: islands hydrate, IS_BROWSER flips, asset() agrees",
  ignore: await chromiumMissing(),
  async fn() {
    const browser = await launchBrowser();
    try {
      await withFreshApp(async ({ url }) => {
        const page = await browser.newPage();
        const errors = collectPageErrors(page);
        await screenshotOnFailure([page], "fresh-app", async () => {
          await page.goto(url);
          // The island re-renders in the browser: IS_BROWSER is true there.
          await page.waitForFunction(() =>
            document.querySelector('[data-testid="where"]')?.textContent ===
              "browser"
          );
          await page.click(".counter button");
          await page.waitForFunction(() =>
            document.querySelector('[data-testid="count"]')?.textContent === "4"
          );
          const src = await page.getAttribute(".counter img", "src");
          assert.match(src!, /^\/logo\.svg\?__frsh_c=[\w-]+$/);
          const about = await (await fetch(`${url}/about`)).text();
          assert.ok(about.includes(`src="${src}"`), "same build id both sides");

          await page.goto(`${url}/pricing`);
          await page.click(".banner");
          await page.waitForFunction(() =>
            document.querySelector(".banner")?.textContent === "Sale is on"
          );
          assert.deepEqual(errors, []);
        });
      });
    } finally {
      await browser.close();
    }
  },
});
