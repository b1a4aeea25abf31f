/**
 * The dispatcher through the official client: case-insensitive methods,
 * ASP.NET's error texts, void results and one invocation at a time.
 */
import { assertEquals, assertRejects } from "./helpers/assert.ts";
import { defineHub, HubError } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect } from "./helpers/signalr_client.ts";

const log: string[] = [];
const errorHub = defineHub({
  methods: {
    Echo(_ctx, text: string) {
      return text;
    },
    Nothing(_ctx) {},
    Null(_ctx) {
      return null;
    },
    Refuse(_ctx) {
      throw new HubError("You may not do that");
    },
    Crash(_ctx) {
      throw new Error("database password is hunter2");
    },
    async Slow(_ctx, name: string, ms: number) {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      return name;
    },
  },
});

Deno.test("dispatcher: names match case-insensitively; void and null results", async () => {
  const fixture = await serveHub(errorHub);
  const c = await connect(fixture.url, "/hub");
  try {
    assertEquals(await c.invoke("echo", "a"), "a");
    assertEquals(await c.invoke("ECHO", "b"), "b");
    assertEquals(await c.invoke("Nothing"), undefined);
    assertEquals(await c.invoke("Null"), null);
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("dispatcher: ASP.NET's texts for unknown methods, bad arguments, errors", async () => {
  const fixture = await serveHub(errorHub);
  const c = await connect(fixture.url, "/hub");
  try {
    await assertRejects(() => c.invoke("Nope"), /^Unknown hub method 'Nope'$/);
    await assertRejects(
      () => c.invoke("Echo"),
      /^Failed to invoke 'Echo' due to an error on the server\. InvalidDataException: Invocation provides 0 argument\(s\) but target expects 1\.$/,
    );
    await assertRejects(
      () => c.invoke("Echo", "a", "b"),
      /provides 2 argument\(s\) but target expects 1/,
    );
    await assertRejects(
      () => c.invoke("Refuse"),
      /^An unexpected error occurred invoking 'Refuse' on the server\. HubException: You may not do that$/,
    );
    // Exception text stays on the server unless detailed errors are on.
    const crash = await assertRejects(
      () => c.invoke("Crash"),
      /unexpected error occurred invoking 'Crash'/,
    );
    assertEquals(crash.message.includes("hunter2"), false);
    // The connection survives every one of those.
    assertEquals(await c.invoke("Echo", "still here"), "still here");
    assertEquals(fixture.hub.counters.errors >= 5, true);
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("dispatcher: detailed errors include the exception when enabled", async () => {
  const fixture = await serveHub(errorHub, { detailedErrors: true });
  const c = await connect(fixture.url, "/hub");
  try {
    await assertRejects(
      () => c.invoke("Crash"),
      /on the server\. Error: database password is hunter2$/,
    );
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("dispatcher: one invocation at a time per connection by default", async () => {
  const fixture = await serveHub(errorHub);
  const c = await connect(fixture.url, "/hub");
  try {
    log.length = 0;
    const results = await Promise.all([
      c.invoke("Slow", "a", 60),
      c.invoke("Slow", "b", 1),
      c.invoke("Slow", "c", 1),
    ]);
    assertEquals(results, ["a", "b", "c"]);
    assertEquals(log, [
      "start a",
      "end a",
      "start b",
      "end b",
      "start c",
      "end c",
    ]);
  } finally {
    await c.stop();
    await fixture.close();
  }
});

Deno.test("dispatcher: maxParallelInvocations lets calls overlap", async () => {
  const fixture = await serveHub(errorHub, { maxParallelInvocations: 2 });
  const c = await connect(fixture.url, "/hub");
  try {
    log.length = 0;
    await Promise.all([c.invoke("Slow", "a", 60), c.invoke("Slow", "b", 1)]);
    assertEquals(log, ["start a", "start b", "end b", "end a"]);
  } finally {
    await c.stop();
    await fixture.close();
  }
});
