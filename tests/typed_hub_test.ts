/**
 * Typed hubs: one contract checked on both sides. Fixtures full of
 * misspellings (in a hub, a client, and the islands' hub helpers) must fail
 * `deno check`; the chart contract drives the real app through
 * `typedConnection`, including the history stream and the confirmed group
 * broadcast.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  defineHub,
  type HubContext,
  typedConnection,
  type TypedHubConnection,
} from "../hub/mod.ts";
import type {
  ChartClient,
  ChartPoint,
  ChartServer,
} from "../chart/chart_contract.ts";
import { startTestServer } from "./helpers/app_server.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import {
  collect,
  connect,
  drainStream,
  nextEvent,
  signalR,
} from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * deno.json excludes the fixture (so `deno task check` passes), and an
 * excluded file is skipped even when named. So check it under a copy of
 * the config without the exclusion.
 */
async function checkFixture(
  fixture: string,
): Promise<{ code: number; output: string }> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const dir = await Deno.makeTempDir();
  try {
    const copy = {
      imports: config.imports,
      compilerOptions: config.compilerOptions,
      nodeModulesDir: config.nodeModulesDir,
    };
    await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify(copy));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", `${dir}/deno.json`, "--no-lock", fixture],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code, output: text.decode(stdout) + text.decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("misspelt methods, events and wrong arguments fail deno check", async () => {
  const { code, output } = await checkFixture(
    "tests/fixtures/typed_hub_misspelt.ts",
  );
  assert.notEqual(code, 0, output);
  // Exactly the five planted mistakes, so nothing else broke the check.
  assert.match(output, /Found 5 errors/, output);
  assert.match(output, /'Ecco' does not exist in type 'HubMethods/);
  assert.match(output, /Argument of type '"echoedd"' is not assignable/);
  assert.match(output, /Argument of type '"GetConectionId"' is not assignable/);
  assert.match(
    output,
    /Argument of type 'number' is not assignable to parameter of type 'string'/,
  );
  assert.match(
    output,
    /Argument of type '"transferchartdta"' is not assignable/,
  );
});

Deno.test("islands: a misspelt hub method or event, or a wrong argument, fails deno check", async () => {
  const { code, output } = await checkFixture(
    "tests/fixtures/islands_misspelt.ts",
  );
  assert.notEqual(code, 0, output);
  // Exactly the five planted mistakes, so nothing else broke the check.
  assert.match(output, /Found 5 errors/, output);
  assert.match(output, /Argument of type '"GetConectionId"' is not assignable/);
  assert.match(
    output,
    /Argument of type 'number' is not assignable to parameter of type 'string'/,
  );
  assert.match(output, /Argument of type '"grouppresense"' is not assignable/);
  assert.match(output, /Argument of type '"GetHistry"' is not assignable/);
  assert.match(output, /Expected 2 arguments, but got 1/);
});

/** Every .ts/.tsx file under islands/, relative to the repository root. */
async function islandFiles(dir = "islands"): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await islandFiles(path));
    else if (/\.tsx?$/.test(path)) files.push(path);
  }
  return files;
}

/** What an island may do with an untyped `HubConnection`: its lifecycle. */
const LIFECYCLE = new Set([
  "start",
  "stop",
  "onclose",
  "onreconnecting",
  "onreconnected",
  "state",
  "connectionId",
]);

Deno.test("islands: an untyped HubConnection is used for its lifecycle only", async () => {
  const misuse: string[] = [];
  let built = 0;
  for (const file of await islandFiles()) {
    const source = await Deno.readTextFile(`${ROOT}${file}`);
    // The raw connections: each `new HubConnectionBuilder()` result, and
    // the `.connection` a typed wrapper exposes.
    const names = [...source.matchAll(
      /const (\w+) = new HubConnectionBuilder\(\)/g,
    )].map((m) => m[1]);
    built += names.length;
    if (names.length > 0) {
      assert.match(source, /typedConnection</, `${file} wraps what it builds`);
    }
    for (const receiver of [...names.map((n) => `\\b${n}`), "\\.connection"]) {
      const uses = new RegExp(`${receiver}\\s*\\.\\s*(\\w+)`, "g");
      for (const [, member] of source.matchAll(uses)) {
        if (!LIFECYCLE.has(member)) misuse.push(`${file}: .${member}`);
      }
    }
  }
  // The chart islands' shared connection and the admin dashboard's.
  assert.equal(built, 2);
  assert.deepEqual(misuse, []);
});

type ChartHub = TypedHubConnection<ChartServer, ChartClient>;

async function typedClient(url: string): Promise<ChartHub> {
  return typedConnection<ChartServer, ChartClient>(await connect(url));
}

Deno.test("StreamChartHistory streams the last N feed updates, oldest first", async () => {
  // A feed too slow to tick during the test: the history is what we push.
  const app = await startTestServer({ feedIntervalMs: 3_600_000 });
  const hub = await typedClient(app.url);
  try {
    for (let i = 1; i <= 5; i++) {
      app.history.push([{ label: "Data1", data: [i] }], 1_000 * i);
    }
    const expected: ChartPoint[] = app.history.last(3);
    const points = await drainStream(hub.stream("StreamChartHistory", 3));
    assert.deepEqual(points, expected);
    assert.deepEqual(points.map((p) => p.series[0].data[0]), [3, 4, 5]);
    await assert.rejects(
      drainStream(hub.stream("StreamChartHistory", 0)),
      /The count must be a whole number from 1 to 600/,
    );
  } finally {
    await hub.connection.stop();
    await app.close();
  }
});

Deno.test("the feed records what it sends in the history", async () => {
  const app = await startTestServer({ feedIntervalMs: 20 });
  const hub = await typedClient(app.url);
  try {
    const seen = collect<ChartPoint["series"]>(
      hub.connection,
      "transferchartdata",
    );
    await waitUntil(() => seen.length >= 3, "three feed updates");
    // Pushed before it is sent, so everything seen is in the history.
    const recent = app.history.last(600).map((p) => p.series);
    for (const update of seen.slice(0, 3)) {
      assert.ok(
        recent.some((r) => JSON.stringify(r) === JSON.stringify(update)),
      );
    }
  } finally {
    await hub.connection.stop();
    await app.close();
  }
});

Deno.test("BroadcastToGroupConfirmed broadcasts only when the caller confirms", async () => {
  const app = await startTestServer({ feedIntervalMs: 3_600_000 });
  const asker = await typedClient(app.url);
  const member = await typedClient(app.url);
  try {
    const id: string = await asker.invoke("GetConnectionId");
    await member.invoke("AddToGroup", "yes");
    await member.invoke("AddToGroup", "no");
    const received = collect<string>(member.connection, "broadcasttogroup");
    asker.on("confirmbroadcast", (group) => group === "yes");
    assert.equal(await asker.invoke("BroadcastToGroupConfirmed", "no"), false);
    const first = nextEvent<string>(member.connection, "broadcasttogroup");
    assert.equal(await asker.invoke("BroadcastToGroupConfirmed", "yes"), true);
    assert.equal(await first, `${id} has joined the group yes.`);
    // One socket keeps order: the refused broadcast would have come first.
    assert.deepEqual(received, [`${id} has joined the group yes.`]);
  } finally {
    await asker.connection.stop();
    await member.connection.stop();
    await app.close();
  }
});

interface UploadServer {
  Total(label: string, items: AsyncIterable<number>): string;
}
interface UploadClient {
  totalled(text: string): void;
}

Deno.test("a typed upload takes a Subject where the contract says AsyncIterable", async () => {
  const hub = defineHub<UploadServer, UploadClient>({
    methods: {
      async Total(ctx, label: unknown, items) {
        let sum = 0;
        for await (const n of items) sum += Number(n);
        const text = `${String(label)}=${sum}`;
        await ctx.clients.caller.send("totalled", text);
        return text;
      },
    },
  });
  const app = await serveHub(hub);
  const raw = await connect(app.url, "/hub");
  try {
    const typed = typedConnection<UploadServer, UploadClient>(raw);
    const event = Promise.withResolvers<string>();
    const off = typed.on("totalled", (text) => event.resolve(text));
    const subject = new signalR.Subject<number>();
    const answer = typed.invoke("Total", "sum", subject);
    for (let i = 1; i <= 100; i++) subject.next(i);
    subject.complete();
    assert.equal(await answer, "sum=5050");
    assert.equal(await event.promise, "sum=5050");
    off();
  } finally {
    await raw.stop();
    await app.close();
  }
});

/** Never called: each line below must be a compile error, or deno test fails. */
function _typeErrors(hub: ChartHub, ctx: HubContext<ChartClient>) {
  // @ts-expect-error: a stream method cannot be invoked
  hub.invoke("StreamChartHistory", 3);
  // @ts-expect-error: a plain method cannot be streamed
  hub.stream("GetConnectionId");
  // @ts-expect-error: too few arguments
  hub.invoke("BroadcastChartData", []);
  // @ts-expect-error: groups cannot answer a client result
  ctx.clients.group("g").invoke("confirmbroadcast", "g");
  // @ts-expect-error: the event takes a string
  ctx.clients.caller.send("broadcasttoclient", 1);
  // @ts-expect-error: a handler with the wrong parameter type
  hub.on("broadcasttoclient", (n: number) => n);
}
