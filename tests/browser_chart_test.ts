import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestServer } from "./helpers/app_server.ts";
import {
  chromiumMissing,
  launchBrowser,
  screenshotOnFailure,
} from "../web/testing/browser.ts";
import { freePort, startAppProcess } from "../web/testing/app_process.ts";

/** Generous ceiling for waits; a pass never depends on it. */
const WAIT = { timeout: 30_000 };

async function connectedId(page: Page): Promise<string> {
  await page.waitForSelector(
    '[data-testid="connection-state"][data-state="connected"]',
    WAIT,
  );
  const id = page.locator('[data-testid="connection-id"]');
  await page.waitForFunction(
    () =>
      !/^—?$/.test(
        document.querySelector('[data-testid="connection-id"]')!.textContent!,
      ),
    null,
    WAIT,
  );
  return await id.innerText();
}

async function updates(page: Page): Promise<number> {
  return Number(
    await page.getAttribute('[data-testid="live-chart"]', "data-updates"),
  );
}

/** Waits until `page` has drawn `count` more chart updates than now. */
async function moreUpdates(page: Page, count: number): Promise<void> {
  const target = (await updates(page)) + count;
  await page.waitForFunction(
    (n) =>
      Number(
        document.querySelector('[data-testid="live-chart"]')!.getAttribute(
          "data-updates",
        ),
      ) >= n,
    target,
    WAIT,
  );
}

/**
 * Opens `url` in two tabs of a fresh browser (screenshots if `body`
 * throws), waits until both are connected and hands `body` their ids.
 */
async function twoTabs(
  url: string,
  name: string,
  body: (a: Page, b: Page, ids: string[]) => Promise<void>,
): Promise<void> {
  const browser = await launchBrowser();
  try {
    const a = await browser.newPage();
    const b = await browser.newPage();
    await screenshotOnFailure([a, b], name, async () => {
      await Promise.all([a.goto(url), b.goto(url)]);
      await body(a, b, await Promise.all([connectedId(a), connectedId(b)]));
    });
  } finally {
    await browser.close();
  }
}

Deno.test({
  name:
    "two tabs both chart live data; a click answers only the tab that clicked",
  ignore: await chromiumMissing(),
  async fn() {
    const app = await startTestServer();
    try {
      await twoTabs(app.url, "two-tabs", async (a, b, [idA, idB]) => {
        assert.notEqual(idA, idB);
        await Promise.all([moreUpdates(a, 2), moreUpdates(b, 2)]);

        await a.click('[data-testid="live-chart"]');
        await a.waitForSelector(
          '[data-testid="private-response"][data-state="filled"]',
          WAIT,
        );
        assert.equal(
          await a.locator('[data-testid="private-value"]').count(),
          4,
        );

        // Order, not time: updates sent after the reply reach B on the same
        // socket after it would have, so once B has drawn two more, any reply
        // meant for B would already be there.
        await moreUpdates(b, 2);
        assert.equal(
          await b.getAttribute(
            '[data-testid="private-response"]',
            "data-state",
          ),
          "empty",
        );
        assert.equal(
          await b.locator('[data-testid="private-value"]').count(),
          0,
        );

        // The keyboard path: focus the button, press Enter, on tab B this time.
        await b.focus('[data-testid="private-request"]');
        await b.keyboard.press("Enter");
        await b.waitForSelector(
          '[data-testid="private-response"][data-state="filled"]',
          WAIT,
        );
      });
    } finally {
      await app.close();
    }
  },
});

Deno.test({
  name: "after a server restart both tabs reconnect by themselves",
  ignore: await chromiumMissing(),
  async fn() {
    const port = freePort();
    let app = await startAppProcess(port);
    try {
      await twoTabs(app.url, "restart", async (a, b, before) => {
        await Promise.all([moreUpdates(a, 1), moreUpdates(b, 1)]);

        await app.stop("SIGTERM");
        for (const page of [a, b]) {
          await page.waitForSelector(
            '[data-testid="connection-state"]:not([data-state="connected"])',
            WAIT,
          );
        }
        app = await startAppProcess(port);

        const after = await Promise.all([connectedId(a), connectedId(b)]);
        assert.notDeepEqual(after, before, "a reconnect is a new connection");
        await Promise.all([moreUpdates(a, 2), moreUpdates(b, 2)]);
      });
    } finally {
      await app.stop();
    }
  },
});

Deno.test({
  name:
    "a group hears what is sent to it; a direct message reaches one connection",
  ignore: await chromiumMissing(),
  async fn() {
    const app = await startTestServer();
    try {
      await twoTabs(app.url, "groups", async (a, b, [idA, idB]) => {
        for (const page of [a, b]) {
          await page.fill('[data-testid="group-name"]', "watchers");
          await page.click('[data-testid="group-join"]');
          await page.waitForSelector('.chips li:has-text("watchers")', WAIT);
        }
        // Presence: both tabs see both members, live.
        const watching = '[data-testid="watching-watchers"]';
        for (const page of [a, b]) {
          await page.waitForSelector(`${watching}:text("2 watching")`, WAIT);
        }
        await a.click('[data-testid="group-send"]');
        const line = `${idA} has joined the group watchers.`;
        for (const page of [a, b]) {
          await page.waitForSelector(
            `[data-kind="group"]:has-text("${line}")`,
            WAIT,
          );
        }

        await a.fill('[data-testid="direct-target"]', idB);
        await a.fill('[data-testid="direct-text"]', "hello B");
        await a.click('[data-testid="direct-send"]');
        await b.waitForSelector(
          '[data-kind="direct"]:has-text("hello B")',
          WAIT,
        );
        // Order, not time: A announces to the group after its direct message;
        // once A hears that, a misrouted direct message would have arrived.
        await a.click('[data-testid="group-send"]');
        await a.waitForFunction(
          () => document.querySelectorAll('[data-kind="group"]').length >= 2,
          null,
          WAIT,
        );
        assert.equal(await a.locator('[data-kind="direct"]').count(), 0);

        // B leaves: A's count drops without a reload.
        await b.click('[aria-label="Leave watchers"]');
        await a.waitForSelector(`${watching}:text("1 watching")`, WAIT);
      });
    } finally {
      await app.close();
    }
  },
});
