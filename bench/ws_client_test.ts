import assert from "node:assert/strict";
import { type FrameSink, WsClient } from "./ws_client.ts";

/** A sink that resolves each received frame's text in order. */
function collector() {
  const frames: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const sink: FrameSink = {
    onFrame(_c, b, s, e) {
      frames.push(new TextDecoder().decode(b.subarray(s, e)));
      wake?.();
    },
    onClose() {
      closed = true;
      wake?.();
    },
  };
  const next = async (): Promise<string> => {
    while (frames.length === 0) {
      if (closed) throw new Error("closed");
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return frames.shift()!;
  };
  return { sink, next, isClosed: () => closed };
}

Deno.test("WsClient talks to a real Deno WebSocket server", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onopen = () => socket.send("hello");
      socket.onmessage = (e) => socket.send(`echo:${e.data}`);
      return response;
    },
  );
  const { sink, next } = collector();
  const client = await WsClient.open(
    "127.0.0.1",
    server.addr.port,
    "/",
    sink,
    3,
  );
  try {
    assert.equal(client.tag, 3);
    assert.equal(await next(), "hello");
    await client.sendText("short");
    assert.equal(await next(), "echo:short");
    const medium = "m".repeat(300); // 16-bit length
    await client.sendText(medium);
    assert.equal(await next(), `echo:${medium}`);
    const large = "L".repeat(70_000); // 64-bit length, and the read buffer grows
    await client.sendText(large);
    assert.equal(await next(), `echo:${large}`);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("WsClient.open rejects a refused upgrade", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 404 }),
  );
  try {
    await assert.rejects(
      WsClient.open("127.0.0.1", server.addr.port, "/", collector().sink, 0),
      /Upgrade refused: HTTP\/1.1 404/,
    );
  } finally {
    await server.shutdown();
  }
});
