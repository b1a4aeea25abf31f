/**
 * The admin page in Chromium: an admin signs in with the page's own form,
 * sees a second browser's connection appear and its group count change,
 * disconnects it, and watches it come back as a new connection.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  chromiumMissing,
  launchBrowser,
  screenshotOnFailure,
  type TestBrowser,
} from "../web/testing/browser.ts";
import { postJson, startUsersApp } from "./helpers/users_fixture.ts";

/** Generous ceiling for waits; a pass never depends on it. */
const WAIT = { timeout: 30_000 };
const PASSWORD = "a-long-admin-password";

function text(page: Page, selector: string, value: string) {
  return page.waitForSelector(`${selector}:text-is("${value}")`, WAIT);
}

async function chartConnectionId(page: Page): Promise<string> {
  await page.waitForSelector(
    '[data-testid="connection-state"][data-state="connected"]',
    WAIT,
  );
  const handle = await page.waitForFunction(
    () => {
      const t = document.querySelector('[data-testid="connection-id"]')
        ?.textContent ?? "";
      return /^—?$/.test(t) ? false : t;
    },
    null,
    WAIT,
  );
  return await handle.jsonValue() as string;
}

Deno.test({
  name:
    "admin page: sign in, see a second browser connect and join, disconnect it, see it reconnect",
  ignore: await chromiumMissing(),
  async fn() {
    const app = await startUsersApp({ ADMIN_USERS: "root" });
    const browsers: TestBrowser[] = [];
    try {
      const created = await postJson(`${app.url}/api/users`, {
        username: "root",
        password: PASSWORD,
      });
      assert.equal(created.status, 201);
      await created.body?.cancel();
      browsers.push(await launchBrowser(), await launchBrowser());
      const admin = await browsers[0].newPage();
      const other = await browsers[1].newPage();
      await screenshotOnFailure([admin, other], "admin", async () => {
        await admin.goto(`${app.url}/admin`);
        await admin.fill('[name="username"]', "root");
        await admin.fill('[name="password"]', PASSWORD);
        await admin.click('[data-testid="admin-sign-in"] button');
        await admin.waitForSelector(
          '[data-testid="admin-state"][data-state="connected"]',
          WAIT,
        );
        assert.equal(new URL(admin.url()).pathname, "/admin");
        await text(admin, '[data-testid="admin-connections"]', "0");

        await other.goto(app.url);
        const id = await chartConnectionId(other);
        await text(admin, '[data-testid="admin-connections"]', "1");

        await other.fill('[data-testid="group-name"]', "watchers");
        await other.click('[data-testid="group-join"]');
        const group = '[data-testid="admin-group"][data-group="watchers"]';
        await text(admin, group, "1");

        await admin.fill('[data-testid="lookup-id"]', id);
        await admin.click('[data-testid="lookup-button"]');
        await text(admin, '[data-testid="lookup-groups"]', "watchers");
        await admin.click('[data-testid="disconnect-button"]');
        await admin.waitForSelector(
          `[data-testid="lookup-note"]:has-text("Disconnected ${id}")`,
          WAIT,
        );

        // The chart page reconnects by itself as a new connection, rejoins
        // its group, and the admin page counts it again.
        await other.waitForFunction(
          (old) => {
            const t = document.querySelector('[data-testid="connection-id"]')
              ?.textContent ?? "";
            return t !== old && !/^—?$/.test(t);
          },
          id,
          WAIT,
        );
        await text(admin, '[data-testid="admin-connections"]', "1");
        await text(admin, group, "1");
        await admin.fill('[data-testid="lookup-id"]', id);
        await admin.click('[data-testid="lookup-button"]');
        await admin.waitForSelector('[data-testid="lookup-none"]', WAIT);
      });
    } finally {
      await Promise.all(browsers.map((b) => b.close()));
      await app.close();
    }
  },
});
