/**
 * Client results with the official client: the server asks one client and
 * awaits its handler's return value; errors, timeouts and disconnects
 * reject; a method may ask its own caller without deadlocking.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ClientResultError, defineHub, type HubContext } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";

const hub = defineHub({
  methods: {
    // The caller is busy in this very invocation while it answers, which
    // would deadlock if answers waited in the invocation queue.
    AskCaller(ctx: HubContext, question: string) {
      return ctx.clients.caller.invoke("answer", question);
    },
    async AskOther(ctx: HubContext, connectionId: string) {
      try {
        return await ctx.clients.client(connectionId).invoke("answer", "?");
      } catch (error) {
        return describe(error);
      }
    },
    async AskBriefly(ctx: HubContext, timeoutMs: number) {
      try {
        return await ctx.clients.caller.withTimeout(timeoutMs).invoke("answer");
      } catch (error) {
        return describe(error);
      }
    },
  },
});

function describe(error: unknown): string {
  if (error instanceof ClientResultError) {
    return `${error.reason}: ${error.message}`;
  }
  return `${(error as Error).name}: ${(error as Error).message}`;
}

async function withClients(
  count: number,
  run: (clients: signalR.HubConnection[], url: string) => Promise<void>,
  options = {},
): Promise<void> {
  const app = await serveHub(hub, options);
  const clients: signalR.HubConnection[] = [];
  try {
    for (let i = 0; i < count; i++) {
      clients.push(await connect(app.url, "/hub"));
    }
    await run(clients, app.url);
    // Server-side calls from outside a hub method use the same table.
    if (clients[0].state === "Connected") {
      clients[0].off("answer");
      clients[0].on("answer", () => "from outside");
      const id = clients[0].connectionId!;
      // Its own generous timeout: some tests set a tiny default.
      const outside = app.hub.clients.client(id).withTimeout(30_000);
      assert.equal(await outside.invoke("answer"), "from outside");
    }
  } finally {
    for (const c of clients) await c.stop();
    await app.close();
  }
}

Deno.test("a hub method gets the value its caller's handler returns", async () => {
  await withClients(1, async ([client]) => {
    client.on("answer", (question: string) => `${question} yes`);
    assert.equal(await client.invoke("AskCaller", "ready?"), "ready? yes");
    // Async handlers are awaited by the client.
    client.off("answer");
    client.on("answer", async (q: string) => {
      await Promise.resolve();
      return { echoed: q };
    });
    assert.deepEqual(await client.invoke("AskCaller", "obj"), {
      echoed: "obj",
    });
  });
});

Deno.test("a client's error or missing handler rejects with its text", async () => {
  await withClients(2, async ([a, b]) => {
    b.on("answer", () => {
      throw new Error("not today");
    });
    assert.equal(
      await a.invoke("AskOther", b.connectionId),
      "HubError: Error: not today",
    );
    a.on("answer", () => {
      throw new Error("nope");
    });
    // Unhandled in the hub method: the caller sees it as a HubException.
    await assert.rejects(
      a.invoke("AskCaller", "x"),
      /An unexpected error occurred invoking 'AskCaller' on the server\. HubException: Error: nope/,
    );
    b.off("answer");
    assert.equal(
      await a.invoke("AskOther", b.connectionId),
      "HubError: Client didn't provide a result.",
    );
  });
});

Deno.test("a client that does not answer in time rejects with a timeout", async () => {
  await withClients(1, async ([client]) => {
    const never = Promise.withResolvers<string>();
    client.on("answer", () => never.promise);
    const outcome = await client.invoke<string>("AskBriefly", 50);
    assert.match(outcome, /^timeout: .*did not answer 'answer' within 50 ms/);
    // The late answer to the timed-out call is ignored; a new call works.
    never.resolve("late");
    assert.equal(await client.invoke("AskCaller", "again"), "late");
  });
});

Deno.test("clientResultTimeoutMs sets the default wait", async () => {
  await withClients(2, async ([a, b]) => {
    b.on("answer", () => new Promise(() => {}));
    assert.match(
      await a.invoke<string>("AskOther", b.connectionId),
      /^timeout: .*within 40 ms/,
    );
    b.off("answer");
  }, { clientResultTimeoutMs: 40 });
});

Deno.test("a client that disconnects while asked rejects the call", async () => {
  await withClients(2, async ([a, b]) => {
    const asked = Promise.withResolvers<void>();
    b.on("answer", () => {
      asked.resolve();
      return new Promise(() => {});
    });
    const outcome = a.invoke<string>("AskOther", b.connectionId);
    await asked.promise;
    await b.stop();
    assert.match(
      await outcome,
      /^disconnected: Connection '.+' closed before it answered 'answer'/,
    );
    assert.match(
      await a.invoke<string>("AskOther", b.connectionId),
      /^not-connected: .*not connected to this server process/,
    );
  });
});
