/**
 * Launches Debian's Chromium through playwright-core for browser tests,
 * with a fresh profile that `close()` removes.
 *
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian installs Chromium (`apt install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** True when tests may skip for lack of Chromium (never in CI). */
export async function chromiumMissing(): Promise<boolean> {
  try {
    await Deno.stat(CHROMIUM);
    return false;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`${CHROMIUM} is required in CI`);
    }
    console.warn(`Skipping: ${CHROMIUM} is not installed`);
    return true;
  }
}

/** A running headless Chromium. */
export interface TestBrowser {
  readonly browser: Browser;
  /** Opens a tab; all tabs share the one throwaway profile (cookies too). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Chromium headless with a throwaway user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "switchboard-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const browser = context.browser()!;
  return {
    browser,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Saves a screenshot of `page` to test-artifacts/<name>.png when `fn`
 * fails, then rethrows.
 */
export async function screenshotOnFailure<T>(
  pages: readonly Page[],
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const dir = new URL("../../test-artifacts/", import.meta.url);
    await Deno.mkdir(dir, { recursive: true });
    for (const [i, page] of pages.entries()) {
      await page.screenshot({
        path: new URL(`${name}-${i}.png`, dir).pathname,
        fullPage: true,
      }).catch(() => {});
    }
    throw error;
  }
}
