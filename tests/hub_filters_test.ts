/**
 * Hub filters with the official client: server filters run outside the
 * hub's own, in order, around calls, streams and both lifetime hooks; a
 * filter can change arguments, refuse a call with a `HubError`, and
 * observe results and errors.
 */

import assert from "node:assert/strict";
import {
  defineHub,
  type HubContext,
  HubError,
  type HubFilter,
} from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { buildConnection, connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** A filter that records what it wraps, as `name:before` / `name:after`. */
function recording(name: string, log: string[]): HubFilter {
  return {
    async invoke(_ctx, invocation, next) {
      log.push(`${name}:${invocation.method}(${invocation.args.join(",")})`);
      try {
        const result = await next();
        log.push(`${name}:result ${String(result)}`);
        return result;
      } catch (error) {
        log.push(`${name}:error ${(error as Error).message}`);
        throw error;
      }
    },
    async onConnected(_ctx, next) {
      log.push(`${name}:connected`);
      await next();
    },
    async onDisconnected(_ctx, error, next) {
      log.push(`${name}:disconnected ${error?.message ?? "clean"}`);
      await next();
    },
  };
}

/** Upper-cases string arguments of `Shout`. */
const shouting: HubFilter = {
  invoke(_ctx, invocation, next) {
    if (invocation.method !== "Shout") return next();
    return next(invocation.args.map((a) => String(a).toUpperCase()));
  },
};

/** Refuses `Secret` without calling it. */
const gate: HubFilter = {
  invoke(_ctx, invocation, next) {
    if (invocation.method === "Secret") throw new HubError("Not through me");
    return next();
  },
};

function filteredHub(log: string[]) {
  return defineHub({
    filters: [recording("hub", log), shouting, gate],
    methods: {
      Add(_ctx: HubContext, a: number, b: number) {
        log.push("method:Add");
        return a + b;
      },
      Shout: (_ctx: HubContext, text: string) => text,
      Secret(_ctx: HubContext) {
        log.push("method:Secret");
        return "leaked";
      },
      Fail(_ctx: HubContext) {
        throw new HubError("Broken");
      },
      async *Count(_ctx: HubContext, n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
    },
    onConnected() {
      log.push("hook:connected");
    },
    onDisconnected() {
      log.push("hook:disconnected");
    },
  });
}

for (
  const transport of [
    signalR.HttpTransportType.WebSockets,
    signalR.HttpTransportType.LongPolling,
  ]
) {
  const name = signalR.HttpTransportType[transport];
  Deno.test(`filters wrap calls and hooks in order over ${name}`, async () => {
    const log: string[] = [];
    const app = await serveHub(filteredHub(log), {
      filters: [recording("outer", log), recording("inner", log)],
    });
    const client = await connect(app.url, "/hub", { transport });
    try {
      assert.deepEqual(log, [
        "outer:connected",
        "inner:connected",
        "hub:connected",
        "hook:connected",
      ]);
      log.length = 0;
      // The client spells the method in lower case; filters see the
      // declared name.
      assert.equal(await client.invoke("add", 2, 3), 5);
      assert.deepEqual(log, [
        "outer:Add(2,3)",
        "inner:Add(2,3)",
        "hub:Add(2,3)",
        "method:Add",
        "hub:result 5",
        "inner:result 5",
        "outer:result 5",
      ]);
      log.length = 0;
      assert.equal(await client.invoke("Shout", "hey"), "HEY");
      await assert.rejects(client.invoke("Secret"), {
        message:
          "An unexpected error occurred invoking 'Secret' on the server. HubException: Not through me",
      });
      assert.ok(!log.includes("method:Secret"));
      assert.ok(log.includes("outer:error Not through me"));
      log.length = 0;
      await assert.rejects(client.invoke("Fail"), /HubException: Broken/);
      assert.deepEqual(log.filter((l) => l.startsWith("outer")), [
        "outer:Fail()",
        "outer:error Broken",
      ]);
      // A stream passes the filters once, when the method is called.
      const items: number[] = [];
      await new Promise<void>((resolve, reject) =>
        client.stream<number>("Count", 3).subscribe({
          next: (i) => items.push(i),
          complete: resolve,
          error: reject,
        })
      );
      assert.deepEqual(items, [0, 1, 2]);
      assert.ok(log.includes("outer:Count(3)"));
      log.length = 0;
      await client.stop();
      await waitUntil(() => log.length === 4, "disconnect hooks ran");
      assert.deepEqual(log, [
        "outer:disconnected clean",
        "inner:disconnected clean",
        "hub:disconnected clean",
        "hook:disconnected",
      ]);
    } finally {
      await client.stop();
      await app.close();
    }
  });
}

Deno.test("a filter that throws in onConnected closes the connection", async () => {
  const refuse: HubFilter = {
    onConnected() {
      throw new Error("No entry");
    },
  };
  const app = await serveHub(defineHub({ methods: { Hi: () => "hi" } }), {
    filters: [refuse],
  });
  const client = buildConnection(app.url, "/hub");
  try {
    const closed = Promise.withResolvers<Error | undefined>();
    client.onclose((e) => closed.resolve(e));
    // The Close may come before or after start() resolves.
    const outcome = await client.start().then(
      () => closed.promise,
      (e: Error) => e,
    );
    assert.match(String(outcome?.message), /Connection closed with an error/);
    await waitUntil(() => app.hub.sizes().connections === 0, "cleanup");
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("a filter with a part that is not a function fails at startup", async () => {
  await assert.rejects(
    () =>
      serveHub(defineHub({ methods: {} }), {
        // deno-lint-ignore no-explicit-any
        filters: [{ invoke: "nope" } as any],
      }),
    TypeError,
  );
});

/**
 * Records what `next()` handed back: "value" for a plain result, "promise"
 * for a pending one, and the result or error it settled with.
 */
function syncRecording(name: string, log: string[]): HubFilter {
  return {
    invokeSync(_ctx, invocation, next) {
      let result: unknown;
      try {
        result = next(
          invocation.method === "Echo" ? [`${invocation.args[0]}!`] : undefined,
        );
      } catch (error) {
        log.push(`${name}:threw ${(error as Error).message}`);
        throw error;
      }
      if (!(result instanceof Promise)) {
        log.push(`${name}:value ${String(result)}`);
        return result;
      }
      log.push(`${name}:promise`);
      return result.then((value) => {
        log.push(`${name}:settled ${String(value)}`);
        return value;
      });
    },
  };
}

const syncHub = defineHub({
  methods: {
    Echo: (_ctx: HubContext, text: string) => text,
    Later: async (_ctx: HubContext, n: number) => {
      await new Promise((r) => setTimeout(r, 1));
      return n * 2;
    },
    Fail(_ctx: HubContext) {
      throw new HubError("Broken");
    },
  },
});

Deno.test("invokeSync filters see plain results as they are, pending ones as promises", async () => {
  const log: string[] = [];
  const app = await serveHub(syncHub, {
    filters: [syncRecording("outer", log), syncRecording("inner", log)],
  });
  const client = await connect(app.url, "/hub");
  try {
    // The outer filter changes the argument; the inner one sees it.
    assert.equal(await client.invoke("Echo", "hi"), "hi!!");
    assert.deepEqual(log, ["inner:value hi!!", "outer:value hi!!"]);
    log.length = 0;
    assert.equal(await client.invoke("Later", 4), 8);
    assert.deepEqual(log, [
      "inner:promise",
      "outer:promise",
      "inner:settled 8",
      "outer:settled 8",
    ]);
    log.length = 0;
    await assert.rejects(client.invoke("Fail"), /HubException: Broken/);
    assert.deepEqual(log, ["inner:threw Broken", "outer:threw Broken"]);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("an invokeSync filter gets promises when another filter has only invoke", async () => {
  const log: string[] = [];
  const app = await serveHub(syncHub, {
    filters: [syncRecording("sync", log), recording("async", log)],
  });
  const client = await connect(app.url, "/hub");
  try {
    log.length = 0; // the async filter's onConnected
    assert.equal(await client.invoke("Echo", "hi"), "hi!");
    assert.deepEqual(log, [
      "async:Echo(hi!)",
      "sync:promise",
      "async:result hi!",
      "sync:settled hi!",
    ]);
  } finally {
    await client.stop();
    await app.close();
  }
});
