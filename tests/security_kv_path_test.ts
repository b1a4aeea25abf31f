/**
 * `KV_PATH` set to a file works under the real `deno task start` (whose
 * permissions allow writing only the island build and that file): an
 * account made before a restart is still there after it.
 */
import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { postJson } from "./helpers/users_fixture.ts";

const ALICE = { username: "alice", password: "alice-password" };

async function status(response: Promise<Response>): Promise<number> {
  const r = await response;
  await r.body?.cancel();
  return r.status;
}

Deno.test("KV_PATH: deno task start keeps accounts in the given file across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "switchboard-kv-" });
  const kvPath = `${dir}/accounts.sqlite`;
  const env = {
    HOSTNAME: "127.0.0.1",
    PORT: "0",
    KV_PATH: kvPath,
    PBKDF2_ITERATIONS: "1000",
    LOG_LEVEL: "info",
  };
  let app: AppProcess | undefined;
  try {
    app = await AppProcess.startTask("start", env);
    assert.equal(await status(postJson(`${app.url}/api/users`, ALICE)), 201);
    const first = await app.stop();
    assert.equal(first.code, 0, `graceful exit:\n${app.log.join("\n")}`);
    assert.ok((await Deno.stat(kvPath)).size > 0, "the database is that file");

    app = await AppProcess.startTask("start", env);
    assert.equal(await status(postJson(`${app.url}/api/token`, ALICE)), 200);
    assert.equal(
      await status(postJson(`${app.url}/api/users`, ALICE)),
      409,
      "the name is still taken",
    );
  } finally {
    await app?.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
