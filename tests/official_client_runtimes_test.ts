/**
 * The official client's Node build runs the article's scenario: the same
 * scenario module, bundled by `deno bundle --platform node` with the npm
 * packages from deno.json, run by the machine's `node`.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { runArticleScenario } from "./smoke/article_scenario.ts";

Deno.test("official client under Deno runs the article's scenario", async () => {
  const app = await startTestServer({ feedIntervalMs: 100 });
  try {
    assert.match(await runArticleScenario(app.url), /^[A-Za-z0-9_-]{22}$/);
  } finally {
    await app.close();
  }
});

async function hasNode(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("node", {
      args: ["--version"],
      stdout: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/**
 * Node resolves the client's runtime requires (`ws`, `fetch-cookie`, ...)
 * from a node_modules folder that `deno install` lays out from the same
 * pinned version and lock; the scenario is bundled with the client left
 * external so those requires resolve from the package's own folder.
 */
async function prepareNodeRun(dir: string): Promise<string> {
  const root = new URL("../", import.meta.url);
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({
      nodeModulesDir: "auto",
      imports: { "@microsoft/signalr": "npm:@microsoft/signalr@10.0.11" },
    }),
  );
  await Deno.copyFile(new URL("deno.lock", root), `${dir}/deno.lock`);
  const run = (args: string[], cwd: string) =>
    new Deno.Command(Deno.execPath(), {
      args,
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const install = await run(["install"], dir);
  assertEquals(install.success, true, new TextDecoder().decode(install.stderr));
  const out = `${dir}/smoke.mjs`;
  const bundle = await run([
    "bundle",
    "--platform",
    "node",
    "--external",
    "@microsoft/signalr",
    "-o",
    out,
    "tests/smoke/official_client_smoke.ts",
  ], root.pathname);
  assertEquals(bundle.success, true, new TextDecoder().decode(bundle.stderr));
  return out;
}

Deno.test({
  name: "official client under Node runs the article's scenario",
  ignore: !(await hasNode()) && Deno.env.get("CI") !== "true",
  async fn() {
    const dir = await Deno.makeTempDir();
    const app = await startTestServer({ feedIntervalMs: 100 });
    try {
      const script = await prepareNodeRun(dir);
      const run = await new Deno.Command("node", {
        args: [script, app.url],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(run.stdout) +
        new TextDecoder().decode(run.stderr);
      assertEquals(run.success, true, text);
      assert.match(text, /smoke: article scenario ok/);
    } finally {
      await app.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
