/**
 * Fixture apps under tests/fixtures/, copied to a temp folder so tests
 * build and serve them without writing into the repository. Their route
 * files import `fresh` like any Fresh app; the repository's import map
 * (deno.json) resolves it, in this process and in child processes started
 * with `--config`.
 *
 * @module
 */

import { App, staticFiles } from "fresh";
import { build } from "../../web/build.ts";
import { silentLogger } from "../../hub/logger.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** A throwaway copy of a fixture app. */
export interface FixtureCopy {
  /** The copy's folder, as a file URL ending in `/`. */
  readonly root: URL;
  /** Removes the copy. */
  dispose(): Promise<void>;
}

/** Copies tests/fixtures/`name`/ to a new temp folder. */
export async function copyFixture(name: string): Promise<FixtureCopy> {
  const dir = await Deno.makeTempDir({ prefix: `switchboard-${name}-` });
  const root = new URL(`file://${dir}/`);
  await copyTree(new URL(`${name}/`, FIXTURES), root);
  return { root, dispose: () => Deno.remove(dir, { recursive: true }) };
}

async function copyTree(from: URL, to: URL): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const name = encodeURIComponent(entry.name);
    if (entry.isDirectory) {
      await copyTree(new URL(`${name}/`, from), new URL(`${name}/`, to));
    } else if (entry.isFile) {
      await Deno.copyFile(new URL(name, from), new URL(name, to));
    }
  }
}

/**
 * Builds a fresh copy of the islands fixture site, serves it in-process
 * with `state` as every request's `ctx.state`, and runs `fn` with its base
 * URL; the server and the copy are gone afterwards.
 */
export async function withSite(
  state: Record<string, unknown>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const site = await copyFixture("islands_site");
  const ac = new AbortController();
  try {
    await build(site.root);
    const app = new App({ root: site.root, logger: silentLogger })
      .use((ctx) => {
        Object.assign(ctx.state as object, state);
        return ctx.next();
      })
      .use(staticFiles())
      .fsRoutes();
    const server = await app.listen({
      hostname: "127.0.0.1",
      port: 0,
      signal: ac.signal,
      onListen() {},
    });
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
