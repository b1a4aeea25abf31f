import assert from "node:assert/strict";
import { ensureBuilt } from "../web/ensure_built.ts";
import { readManifest } from "../web/build_manifest.ts";
import { copyFixture } from "./helpers/fixture_server.ts";

Deno.test("ensureBuilt builds when missing, keeps a fresh build, rebuilds a stale one", async () => {
  const site = await copyFixture("islands_site");
  try {
    assert.equal(await readManifest(site.root), null);
    await Promise.all([ensureBuilt(site.root), ensureBuilt(site.root)]);
    const first = await readManifest(site.root);
    assert.deepEqual(Object.keys(first!.islands).sort(), [
      "Counter",
      "Greeting",
    ]);

    await ensureBuilt(site.root);
    assert.equal(
      (await readManifest(site.root))!.builtAt,
      first!.builtAt,
      "fresh: kept",
    );

    // An island edited after the build makes it stale.
    const island = new URL("islands/Greeting.tsx", site.root);
    const later = new Date(Date.now() + 60_000);
    await Deno.utime(island, later, later);
    await ensureBuilt(site.root);
    assert.notEqual(
      (await readManifest(site.root))!.builtAt,
      first!.builtAt,
      "stale: rebuilt",
    );

    // A new island file makes it stale too.
    await Deno.copyFile(island, new URL("islands/Extra.tsx", site.root));
    await ensureBuilt(site.root);
    assert.ok("Extra" in (await readManifest(site.root))!.islands);
  } finally {
    await site.dispose();
  }
});
