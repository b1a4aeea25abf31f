/**
 * Bytes and dates on the wire as ASP.NET writes them, seen by the official
 * client: base64 text and .NET's UTC date text over JSON; bin and the
 * timestamp extension over MessagePack, both ways. Results, invocations,
 * stream items and client results alike.
 */

import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  defineHub,
  fromBase64,
  type HubContext,
  jsonProtocol,
  messagePackProtocol,
} from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect, nextEvent, signalR } from "./helpers/signalr_client.ts";

const BYTES = new Uint8Array([1, 2, 255]);
const NOON = new Date(Date.UTC(2000, 0, 1, 12, 0, 0));
const WITH_MS = new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 250));

/** How the server saw a value the client sent. */
function kind(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes ${[...value].join(",")}`;
  if (value instanceof Date) return `date ${value.toISOString()}`;
  return `${typeof value} ${String(value)}`;
}

const hub = defineHub({
  methods: {
    Bytes: (_ctx: HubContext) => BYTES,
    Dates: (_ctx: HubContext) => ({ noon: NOON, withMs: WITH_MS }),
    Kinds: (_ctx: HubContext, values: unknown[]) => values.map(kind),
    Push(ctx: HubContext) {
      return ctx.clients.caller.send("pushed", BYTES, NOON);
    },
    async *Items(_ctx: HubContext) {
      yield BYTES;
      yield NOON;
    },
    /** Asks the caller, sending bytes and a date; reports what came back. */
    async Ask(ctx: HubContext) {
      const answer = await ctx.clients.caller.invoke("give", BYTES, NOON);
      return kind(answer);
    },
  },
});

async function streamAll(
  client: signalR.HubConnection,
  method: string,
): Promise<unknown[]> {
  const items: unknown[] = [];
  await new Promise<void>((resolve, reject) =>
    client.stream(method).subscribe({
      next: (i) => items.push(i),
      complete: resolve,
      error: reject,
    })
  );
  return items;
}

Deno.test("JSON: bytes are base64 and dates .NET UTC text, everywhere", async () => {
  const app = await serveHub(hub);
  const client = await connect(app.url, "/hub");
  try {
    assert.equal(await client.invoke("Bytes"), "AQL/");
    assert.deepEqual(fromBase64(await client.invoke("Bytes")), BYTES);
    assert.deepEqual(await client.invoke("Dates"), {
      noon: "2000-01-01T12:00:00Z",
      withMs: "2000-01-01T00:00:00.25Z",
    });
    const pushed = Promise.withResolvers<unknown[]>();
    client.on("pushed", (...args) => pushed.resolve(args));
    await client.invoke("Push");
    assert.deepEqual(await pushed.promise, ["AQL/", "2000-01-01T12:00:00Z"]);
    assert.deepEqual(await streamAll(client, "Items"), [
      "AQL/",
      "2000-01-01T12:00:00Z",
    ]);
    // The client-result invocation carries the same text; the answer is
    // JSON, so it arrives as the text the client returns.
    client.on("give", (bytes: string, date: string) => `${bytes}|${date}`);
    assert.equal(
      await client.invoke("Ask"),
      "string AQL/|2000-01-01T12:00:00Z",
    );
  } finally {
    await client.stop();
    await app.close();
  }
});

for (
  const transport of [
    signalR.HttpTransportType.WebSockets,
    signalR.HttpTransportType.LongPolling,
  ]
) {
  Deno.test(
    `MessagePack keeps bytes and timestamps both ways over ${
      signalR.HttpTransportType[transport]
    }`,
    async () => {
      const app = await serveHub(hub, {
        protocols: [jsonProtocol, messagePackProtocol],
      });
      const client = await connect(app.url, "/hub", {
        transport,
        protocol: new MessagePackHubProtocol(),
      });
      try {
        assert.deepEqual(await client.invoke("Bytes"), BYTES);
        const dates = await client.invoke<Record<string, Date>>("Dates");
        assert.ok(dates.noon instanceof Date);
        assert.equal(dates.noon.getTime(), NOON.getTime());
        assert.equal(dates.withMs.getTime(), WITH_MS.getTime());
        // Client → server: the hub gets bytes and a Date.
        assert.deepEqual(await client.invoke("Kinds", [BYTES, NOON, "x"]), [
          "bytes 1,2,255",
          "date 2000-01-01T12:00:00.000Z",
          "string x",
        ]);
        const pushed = nextEvent<Uint8Array>(client, "pushed");
        await client.invoke("Push");
        assert.deepEqual(await pushed, BYTES);
        const items = await streamAll(client, "Items");
        assert.deepEqual(items[0], BYTES);
        assert.equal((items[1] as Date).getTime(), NOON.getTime());
        client.on("give", (bytes: Uint8Array, date: Date) => {
          assert.deepEqual(bytes, BYTES);
          assert.equal(date.getTime(), NOON.getTime());
          return new Uint8Array([9, 8]);
        });
        assert.equal(await client.invoke("Ask"), "bytes 9,8");
      } finally {
        await client.stop();
        await app.close();
      }
    },
  );
}
