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
 * Collects what went wrong on `page`: script errors, console errors and
 * failed responses (except a missing favicon, which fixtures do not have).
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // Failed resources are reported by URL from the response event below.
    if (
      m.type() === "error" && !m.text().startsWith("Failed to load resource")
    ) {
      errors.push(m.text());
    }
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
      errors.push(`${r.status()} ${r.url()}`);
    }
  });
  return errors;
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
