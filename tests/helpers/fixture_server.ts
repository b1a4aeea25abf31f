/**
 * The fixture site (web/testing/fixture_site.ts), built and served on
 * 127.0.0.1 with a free port, for tests of the web layer on its own.
 *
 * @module
 */

import { build } from "../../web/build.ts";
import { createWebHandler } from "../../web/app_handler.ts";
import { copyFixtureSite } from "../../web/testing/fixture_site.ts";
import { silentLogger } from "../../hub/logger.ts";

/**
 * Builds a fresh copy of the fixture site, serves it with `state` and runs
 * `fn` with its base URL; the server and the copy are gone afterwards.
 */
export async function withSite(
  state: Record<string, unknown>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const site = await copyFixtureSite();
  const ac = new AbortController();
  try {
    await build(site.root);
    const handler = await createWebHandler({
      root: site.root,
      state,
      logger: silentLogger,
    });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      handler,
    );
    try {
      await fn(`http://127.0.0.1:${server.addr.port}`);
    } finally {
      ac.abort();
      await server.finished;
    }
  } finally {
    await site.dispose();
  }
}
