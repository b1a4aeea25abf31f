import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import {
  connectHub,
  signUpAndToken,
  startUsersApp,
} from "./helpers/users_fixture.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

function chromiumMissing(): boolean {
  try {
    Deno.statSync(CHROMIUM);
    return false;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`CI needs Chromium at ${CHROMIUM}`);
    }
    console.warn(`Skipping the browser users test: no Chromium at ${CHROMIUM}`);
    return true;
  }
}

/** Waits until the panel shows `who`, connected to the hub. */
async function panelReady(page: Page, who: string): Promise<void> {
  await page.waitForFunction(
    ([name]) =>
      document.querySelector('[data-testid="whoami"]')?.textContent === name &&
      document.querySelector('[data-testid="hub-state"]')?.textContent ===
        "connected",
    [who],
  );
}

Deno.test({
  name: "browser: sign in with the form, then a user message shows in two tabs",
  ignore: chromiumMissing(),
  async fn() {
    const app = await startUsersApp();
    let browser: Browser | undefined;
    const bobToken = await signUpAndToken(app.url, "bob");
    await signUpAndToken(app.url, "alice", "alice-password");
    const bob = await connectHub(`${app.url}/chart`, {
      accessTokenFactory: () => bobToken,
    });
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox"],
      });
      const context = await browser.newContext();
      const first = await context.newPage();
      await first.goto(`${app.url}/`);
      // Hydrated and asked the server: typing before that would be lost.
      await first.waitForFunction(() =>
        document.querySelector('[data-testid="whoami"]')?.textContent ===
          "anonymous"
      );
      await first.getByTestId("auth-username").fill("alice");
      await first.getByTestId("auth-password").fill("alice-password");
      await first.getByTestId("signin").click();
      await panelReady(first, "alice");

      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "switchboard_session");
      assert.ok(session, "session cookie set");
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, "Lax");
      assert.equal(
        await first.evaluate(() => document.cookie.includes("switchboard")),
        false,
        "page scripts cannot read it",
      );

      const second = await context.newPage();
      await second.goto(`${app.url}/`);
      await panelReady(second, "alice");

      await bob.invoke("BroadcastToUser", "hello alice, from bob", "alice");
      for (const page of [first, second]) {
        await page.getByTestId("user-message").filter({
          hasText: "hello alice, from bob",
        }).waitFor();
      }

      // Alice writes back from the page; bob's client gets it.
      const reply = new Promise((resolve) =>
        bob.on("broadcasttouser", resolve)
      );
      await second.getByTestId("send-to").fill("bob");
      await second.getByTestId("send-text").fill("hi bob");
      await second.getByTestId("send-button").click();
      assert.equal(await reply, "hi bob");

      await first.getByTestId("signout").click();
      await first.getByTestId("signin").waitFor();
      assert.equal(
        await first.getByTestId("whoami").textContent(),
        "anonymous",
      );
    } finally {
      await browser?.close();
      await bob.stop();
      await app.close();
    }
  },
});
