/**
 * Bad input over a raw WebSocket against the real app: each bad socket
 * gets a clear error or a close, and a well-behaved client keeps getting
 * the chart feed throughout.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { withFedApp } from "./helpers/fed_app.ts";

const RS = "\x1e";

Deno.test("bad input: garbage before the handshake gets a handshake error", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.open(url);
    raw.send(`this is not json${RS}`);
    const answer = await raw.next();
    assertEquals(answer, { error: "Handshake request is not valid JSON" });
    assertEquals((await raw.closed).code, 1000);

    const wrong = await RawClient.open(url);
    wrong.send(`{"protocol":"xml","version":1}${RS}`);
    assertEquals(await wrong.next(), {
      error: "The protocol 'xml' is not supported.",
    });
    await wrong.closed;
  });
});

Deno.test("bad input: garbage after the handshake closes with a clear error", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    raw.send(`{"type":1,"target":"x"${RS}`);
    const close = await raw.next((r) => r.type === 7);
    assertEquals(close.type, 7);
    assert.match(
      String(close.error),
      /^Connection closed with an error\. InvalidDataException: Message is not valid JSON$/,
    );
    await raw.closed;
  });
});

Deno.test("bad input: a 1 MiB message closes that socket only", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    const other = await RawClient.connected(url);
    raw.send(
      `{"type":1,"target":"GetConnectionId","arguments":["${
        "x".repeat(1024 * 1024)
      }"]}${RS}`,
    );
    const close = await raw.next((r) => r.type === 7);
    assert.match(
      String(close.error),
      /exceeds the maximum size of 65536 bytes/,
    );
    await raw.closed;
    other.sendMessage({
      type: 1,
      invocationId: "1",
      target: "GetConnectionId",
      arguments: [],
    });
    const done = await other.next((r) => r.type === 3);
    assertEquals(typeof done.result, "string");
    await other.close();
  });
});

Deno.test("bad input: unknown methods and wrong arguments answer errors, socket stays", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    raw.sendMessage({
      type: 1,
      invocationId: "1",
      target: "DropTables",
      arguments: [],
    });
    assertEquals(await raw.next((r) => r.type === 3), {
      type: 3,
      invocationId: "1",
      error: "Unknown hub method 'DropTables'",
    });
    raw.sendMessage({
      type: 1,
      invocationId: "2",
      target: "AddToGroup",
      arguments: [],
    });
    assert.match(
      String((await raw.next((r) => r.type === 3)).error),
      /provides 0 argument\(s\) but target expects 1/,
    );
    raw.sendMessage({
      type: 1,
      invocationId: "3",
      target: "BroadcastChartData",
      arguments: [{ evil: 1 }, "x"],
    });
    assert.match(
      String((await raw.next((r) => r.type === 3)).error),
      /HubException: Chart data must be an array of series/,
    );
    // A non-blocking call (no id) gets no reply at all, even when it fails.
    raw.sendMessage({ type: 1, target: "DropTables", arguments: [] });
    raw.sendMessage({
      type: 1,
      invocationId: "4",
      target: "GetConnectionId",
      arguments: [],
    });
    const next = await raw.next((r) => r.type === 3);
    assertEquals(next.invocationId, "4");
    await raw.close();
  });
});

Deno.test("bad input: handshake and invocation in one frame, partial records across frames", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.open(url);
    const call =
      `{"type":1,"invocationId":"9","target":"GetConnectionId","arguments":[]}${RS}`;
    raw.send(`{"protocol":"json","version":1}${RS}${call.slice(0, 20)}`);
    assertEquals(await raw.next(), {});
    raw.send(call.slice(20));
    assertEquals((await raw.next((r) => r.type === 3)).invocationId, "9");
    await raw.close();
  });
});

Deno.test("bad input: a flood of invalid frames from many sockets", async () => {
  await withFedApp(async (url) => {
    const flooders = await Promise.all(
      Array.from({ length: 20 }, () => RawClient.connected(url)),
    );
    for (const [i, raw] of flooders.entries()) {
      for (let j = 0; j < 50; j++) {
        raw.send(j % 2 ? new Uint8Array([0xff, 0xfe, i, j]) : `{{{${RS}`);
      }
    }
    const closes = await Promise.all(flooders.map((f) => f.closed));
    assertEquals(closes.length, 20);
  });
});
