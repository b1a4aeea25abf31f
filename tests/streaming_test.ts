/**
 * Streams both ways with the official client: server-to-client streams
 * (`connection.stream()`), cancellation, the per-connection stream limit,
 * and client uploads (`signalR.Subject` as an argument).
 *
 * @module
 */

import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  defineHub,
  type HubContext,
  HubError,
  jsonProtocol,
  messagePackProtocol,
} from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** Hooks a test uses to watch the server side of a stream. */
interface Probe {
  finallyRan: PromiseWithResolvers<string>;
  gate: PromiseWithResolvers<void>;
}

function streamingHub(probe: Probe) {
  return defineHub({
    methods: {
      async *Count(_ctx: HubContext, n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
      async *Blocks(_ctx: HubContext, n: number, size: number) {
        for (let i = 0; i < n; i++) yield `${i}:`.padEnd(size, "x");
      },
      async *Forever(ctx: HubContext, tag: string) {
        try {
          for (let i = 0;; i++) {
            yield i;
            // A real source waits for data; this one waits a turn.
            await new Promise((r) => setTimeout(r, 1));
            if (ctx.signal.aborted) return;
          }
        } finally {
          probe.finallyRan.resolve(tag);
        }
      },
      async *FailAfter(_ctx: HubContext, n: number) {
        for (let i = 0; i < n; i++) yield i;
        throw new HubError("source broke");
      },
      Plain(_ctx: HubContext) {
        return 1;
      },
      async Sum(_ctx: HubContext, label: string, items: AsyncIterable<number>) {
        const seen: number[] = [];
        for await (const item of items) seen.push(item);
        return { label, seen };
      },
      async UploadError(_ctx: HubContext, items: AsyncIterable<unknown>) {
        try {
          for await (const _ of items) { /* drain */ }
          return "no error";
        } catch (error) {
          return `caught: ${(error as Error).message}`;
        }
      },
      async Gated(_ctx: HubContext, items: AsyncIterable<number>) {
        await probe.gate.promise;
        let n = 0;
        try {
          for await (const _ of items) n++;
        } catch (error) {
          return `after ${n}: ${(error as Error).message}`;
        }
        return `all ${n}`;
      },
      OpenGate(_ctx: HubContext) {
        probe.gate.resolve();
      },
      async *Echo(_ctx: HubContext, items: AsyncIterable<string>) {
        for await (const item of items) yield item.toUpperCase();
      },
    },
  });
}

function newProbe(): Probe {
  return { finallyRan: Promise.withResolvers(), gate: Promise.withResolvers() };
}

/** Subscribes and collects until the stream completes or errors. */
function drain<T>(result: signalR.IStreamResult<T>) {
  const items: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    result.subscribe({
      next: (item) => items.push(item),
      complete: () => resolve(items),
      error: (error) => reject(error),
    });
  });
  return { items, done };
}

Deno.test("a server stream of 1,000 items arrives complete and in order", async () => {
  const app = await serveHub(streamingHub(newProbe()));
  const client = await connect(app.url, "/hub");
  try {
    const items = await drain(client.stream<number>("Count", 1_000)).done;
    assert.deepEqual(items, Array.from({ length: 1_000 }, (_, i) => i));
    // The connection is still usable afterwards.
    assert.equal(await client.invoke("Plain"), 1);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("a stream larger than the send queue waits instead of tripping the slow-consumer close", async () => {
  const app = await serveHub(streamingHub(newProbe()), {
    maxQueuedBytes: 64 * 1024,
  });
  const client = await connect(app.url, "/hub");
  try {
    // 4 MiB through a 64 KiB queue: without backpressure the server would
    // close this client as a slow consumer.
    const blocks = await drain(client.stream<string>("Blocks", 2_000, 2_048))
      .done;
    assert.equal(blocks.length, 2_000);
    assert.ok(blocks.every((b, i) => b.startsWith(`${i}:`)));
    assert.equal(app.hub.counters.slowConsumerCloses, 0);
    assert.equal(client.state, "Connected");
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("disposing a subscription cancels the stream and runs the server's finally", async () => {
  const probe = newProbe();
  const app = await serveHub(streamingHub(probe));
  const client = await connect(app.url, "/hub");
  try {
    const seen: number[] = [];
    const fifth = Promise.withResolvers<void>();
    const subscription = client.stream<number>("Forever", "first").subscribe({
      next: (i) => {
        seen.push(i);
        if (seen.length === 5) fifth.resolve();
      },
      complete: () => {},
      error: () => {},
    });
    await fifth.promise;
    subscription.dispose();
    assert.equal(await probe.finallyRan.promise, "first");
    assert.deepEqual(seen.slice(0, 5), [0, 1, 2, 3, 4]);
    assert.equal(await client.invoke("Plain"), 1);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("closing the connection stops its streams", async () => {
  const probe = newProbe();
  const app = await serveHub(streamingHub(probe));
  const client = await connect(app.url, "/hub");
  try {
    const first = Promise.withResolvers<void>();
    client.stream<number>("Forever", "closed").subscribe({
      next: () => first.resolve(),
      complete: () => {},
      error: () => {},
    });
    await first.promise;
    await client.stop();
    assert.equal(await probe.finallyRan.promise, "closed");
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("a connection may hold at most maxStreamsPerConnection streams", async () => {
  const app = await serveHub(streamingHub(newProbe()), {
    maxStreamsPerConnection: 2,
  });
  const client = await connect(app.url, "/hub");
  try {
    const quiet = { next: () => {}, complete: () => {}, error: () => {} };
    const a = client.stream("Forever", "a").subscribe(quiet);
    const b = client.stream("Forever", "b").subscribe(quiet);
    await assert.rejects(
      drain(client.stream("Forever", "c")).done,
      /at most 2 open streams/,
    );
    a.dispose();
    b.dispose();
    // Cancelled streams give their slots back.
    await waitForSlot(client);
  } finally {
    await client.stop();
    await app.close();
  }
});

/** Retries a short stream until a slot is free (cancel is asynchronous). */
async function waitForSlot(client: signalR.HubConnection): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      assert.deepEqual(await drain(client.stream("Count", 3)).done, [0, 1, 2]);
      return;
    } catch (error) {
      if (!/open streams/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error("No stream slot came free after cancelling");
}

Deno.test("stream errors and wrong call kinds reach the client as errors", async () => {
  const app = await serveHub(streamingHub(newProbe()));
  const client = await connect(app.url, "/hub");
  try {
    const failing = drain(client.stream<number>("FailAfter", 3));
    await assert.rejects(failing.done, /HubException: source broke/);
    assert.deepEqual(failing.items, [0, 1, 2]);
    await assert.rejects(
      drain(client.stream("Plain")).done,
      /non-streaming 'Plain' method with a streaming invocation/,
    );
    await assert.rejects(
      client.invoke("Count", 3),
      /streaming 'Count' method with a non-streaming invocation/,
    );
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("an upload of 1,000 items reaches the hub method complete and in order", async () => {
  const app = await serveHub(streamingHub(newProbe()));
  const client = await connect(app.url, "/hub");
  try {
    const subject = new signalR.Subject<number>();
    const answer = client.invoke("Sum", "numbers", subject);
    for (let i = 0; i < 1_000; i++) subject.next(i);
    subject.complete();
    assert.deepEqual(await answer, {
      label: "numbers",
      seen: Array.from({ length: 1_000 }, (_, i) => i),
    });
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("an upload the client fails throws inside the hub method", async () => {
  const app = await serveHub(streamingHub(newProbe()));
  const client = await connect(app.url, "/hub");
  try {
    const subject = new signalR.Subject<number>();
    const answer = client.invoke("UploadError", subject);
    subject.next(1);
    subject.error(new Error("camera unplugged"));
    assert.equal(await answer, "caught: camera unplugged");
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("an upload past maxBufferedUploadItems fails instead of growing", async () => {
  const probe = newProbe();
  const app = await serveHub(streamingHub(probe), {
    maxBufferedUploadItems: 10,
    maxParallelInvocations: 2,
  });
  const client = await connect(app.url, "/hub");
  try {
    const subject = new signalR.Subject<number>();
    const answer = client.invoke<string>("Gated", subject);
    for (let i = 0; i < 50; i++) subject.next(i);
    // The client sends items through a promise chain, so a later invoke
    // could overtake them: wait until the server has dropped the 40 extra.
    await waitUntil(
      () => app.hub.counters.messagesDropped >= 40,
      "the upload overflow",
    );
    await client.invoke("OpenGate");
    subject.complete();
    assert.match(await answer, /^after 10: .*exceeded 10 unread items/);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("a stream can take an upload and answer item by item", async () => {
  const app = await serveHub(streamingHub(newProbe()));
  const client = await connect(app.url, "/hub");
  try {
    const subject = new signalR.Subject<string>();
    const out = drain(client.stream<string>("Echo", subject));
    subject.next("a");
    subject.next("b");
    subject.complete();
    assert.deepEqual(await out.done, ["A", "B"]);
  } finally {
    await client.stop();
    await app.close();
  }
});

Deno.test("streams, uploads and client results work over MessagePack too", async () => {
  const probe = newProbe();
  const definition = streamingHub(probe);
  const hub = defineHub({
    methods: {
      ...definition.methods,
      Ask(ctx: HubContext, question: string) {
        return ctx.clients.caller.invoke("answer", question);
      },
    },
  });
  const app = await serveHub(hub, {
    protocols: [jsonProtocol, messagePackProtocol],
  });
  const client = await connect(app.url, "/hub", {
    protocol: new MessagePackHubProtocol(),
  });
  try {
    const items = await drain(client.stream<number>("Count", 1_000)).done;
    assert.deepEqual(items, Array.from({ length: 1_000 }, (_, i) => i));
    const subject = new signalR.Subject<number>();
    const sum = client.invoke("Sum", "bin", subject);
    for (let i = 0; i < 1_000; i++) subject.next(i);
    subject.complete();
    assert.deepEqual((await sum as { seen: number[] }).seen.length, 1_000);
    client.on("answer", (q: string) => ({ q, bytes: new Uint8Array([1, 2]) }));
    const answer = await client.invoke("Ask", "raw?");
    assert.deepEqual(answer, { q: "raw?", bytes: new Uint8Array([1, 2]) });
  } finally {
    await client.stop();
    await app.close();
  }
});

for (
  const transport of [
    signalR.HttpTransportType.ServerSentEvents,
    signalR.HttpTransportType.LongPolling,
  ]
) {
  const name = signalR.HttpTransportType[transport];
  Deno.test(`streams, uploads and client results work over ${name}`, async () => {
    const definition = streamingHub(newProbe());
    const hub = defineHub({
      methods: {
        ...definition.methods,
        Ask(ctx: HubContext, question: string) {
          return ctx.clients.caller.invoke("answer", question);
        },
      },
    });
    const app = await serveHub(hub);
    const client = await connect(app.url, "/hub", { transport });
    try {
      const items = await drain(client.stream<number>("Count", 500)).done;
      assert.deepEqual(items, Array.from({ length: 500 }, (_, i) => i));
      const subject = new signalR.Subject<number>();
      const sum = client.invoke("Sum", name, subject);
      for (let i = 0; i < 200; i++) subject.next(i);
      subject.complete();
      assert.equal((await sum as { seen: number[] }).seen.length, 200);
      client.on("answer", (q: string) => `${q}!`);
      assert.equal(await client.invoke("Ask", name), `${name}!`);
    } finally {
      await client.stop();
      await app.close();
    }
  });
}
