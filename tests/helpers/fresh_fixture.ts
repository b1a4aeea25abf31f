/**
 * The Fresh 2 fixture app (tests/fixtures/fresh_app) copied to a temp
 * folder and started as its own process, exactly as its main.ts says
 * (`app.listen()`), so the first start builds its islands.
 *
 * @module
 */

import { AppProcess } from "./app_process.ts";
import { copyFixture, type FixtureCopy } from "./fixture_server.ts";

/** A running copy of the fixture app. */
export interface FreshFixture {
  readonly url: string;
  readonly copy: FixtureCopy;
  /** Whether static/build/manifest.json existed before the first start. */
  readonly builtBeforeStart: boolean;
}

/** Runs `fn` against a fresh copy of the fixture app; stops and removes it. */
export async function withFreshApp(
  fn: (app: FreshFixture) => Promise<void>,
): Promise<void> {
  const copy = await copyFixture("fresh_app");
  try {
    const manifest = new URL("static/build/manifest.json", copy.root);
    const builtBeforeStart = await exists(manifest);
    const proc = await AppProcess.start(
      new URL("main.ts", copy.root).pathname,
      { PORT: "0" },
      { cwd: copy.root },
    );
    try {
      await fn({ url: proc.url, copy, builtBeforeStart });
    } finally {
      await proc.stop();
    }
  } finally {
    await copy.dispose();
  }
}

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}
