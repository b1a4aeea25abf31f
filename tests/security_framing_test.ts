/**
 * Framing under attack, over real sockets: a record cut into 1-byte frames
 * costs the server linear time, a record growing past the size limit is
 * refused as it passes it, and floods of empty, tiny or large frames close
 * the flooding connection while a well-behaved client stays fed.
 */
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { AppProcess } from "./helpers/app_process.ts";
import { withFedApp } from "./helpers/fed_app.ts";
import { RawClient } from "./helpers/raw_socket.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import {
  handshake,
  invoke,
  negotiate,
  request,
  startRawHub,
} from "./helpers/raw_hub.ts";
import { cpuSeconds } from "./helpers/proc_stats.ts";

const RS = "\x1e";

/** An Echo invocation of exactly `size` characters, separator included. */
function echoRecord(id: string, size: number): string {
  const head =
    `{"type":1,"invocationId":"${id}","target":"Echo","arguments":["`;
  const tail = `"]}${RS}`;
  return head + "x".repeat(size - head.length - tail.length) + tail;
}

/** Sends `frames`, yielding now and then so the socket drains, and awaits the completion. */
async function invokeIn(
  raw: RawClient,
  id: string,
  frames: Iterable<string>,
): Promise<void> {
  let sent = 0;
  for (const frame of frames) {
    raw.send(frame);
    if (++sent % 4096 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  const done = await raw.next((r) => r.type === 3 && r.invocationId === id);
  assertEquals(done.error, undefined);
}

/** The record in one frame, after as many empty frames as it has bytes. */
function* wholeRecord(record: string): Iterable<string> {
  for (let i = 0; i < record.length; i++) yield "";
  yield record;
}

/** The record one character per frame. */
function* splitRecord(record: string): Iterable<string> {
  for (const char of record) yield char;
}

/** Server CPU seconds spent while `run` runs. */
async function serverCpu(pid: number, run: () => Promise<void>) {
  const before = cpuSeconds(pid);
  await run();
  return cpuSeconds(pid) - before;
}

Deno.test("framing: a 63 KiB record in 1-byte frames costs about what the same frames cost around it whole", async () => {
  // Limits off: this measures the decoder, not the flood defence.
  const server = await AppProcess.start("tests/helpers/fault_hub_process.ts", {
    HUB_OPTIONS: JSON.stringify({
      framesPerSecond: 0,
      bytesPerSecond: 0,
      messagesPerSecond: 0,
    }),
  });
  const raw = await RawClient.connected(`${server.url}/hub`);
  try {
    const size = 63 * 1024;
    let n = 0;
    const run = (frames: (record: string) => Iterable<string>) => {
      const id = String(++n);
      return serverCpu(
        server.pid,
        () => invokeIn(raw, id, frames(echoRecord(id, size))),
      );
    };
    // Warm both paths up, then measure them interleaved.
    await run(wholeRecord);
    await run(splitRecord);
    let whole = 0;
    let split = 0;
    for (let round = 0; round < 3; round++) {
      whole += await run(wholeRecord);
      split += await run(splitRecord);
    }
    console.log(
      `server CPU for 3 records of ${size} bytes: ${size} empty frames + ` +
        `one whole ${whole.toFixed(2)} s, 1-byte frames ${split.toFixed(2)} s`,
    );
    // The same frame count on both sides: only buffering differs. A
    // decoder that re-scans its buffer per frame is 5-20 times slower.
    assertOk(whole > 0, "the baseline used measurable CPU");
    assertOk(split < 2.5 * whole, `split ${split} s, whole ${whole} s`);
  } finally {
    await raw.close();
    await server.stop();
  }
});

Deno.test("framing: a record growing past the size limit is refused before it ends", async () => {
  const app = await startFaultHub();
  const raw = await RawClient.connected(`${app.url}/hub`);
  try {
    raw.send(`{"type":1,"invocationId":"1","target":"Echo","arguments":["`);
    // 1 KiB a frame and never a separator: the limit must close it.
    for (let i = 0; i < 70 && raw.socket.readyState === WebSocket.OPEN; i++) {
      raw.send("x".repeat(1024));
      await new Promise((r) => setTimeout(r, 1));
    }
    const close = await raw.next((r) => r.type === 7);
    assertEquals(
      close.error,
      "Connection closed with an error. InvalidDataException: Message exceeds the maximum size of 65536 bytes",
    );
    await raw.closed;
  } finally {
    await raw.close();
    await app.close();
  }
});

/**
 * Sends `count` frames from `make` at once, then returns the Close message
 * the server sent. The burst is bounded: a client still writing when the
 * server closes gets a TCP reset, which may drop the Close before it is read.
 */
async function flood(
  raw: RawClient,
  count: number,
  make: (i: number) => string,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < count; i++) raw.send(make(i));
  return await raw.next((r) => r.type === 7);
}

Deno.test("framing: a flood of empty frames is closed; other clients stay fed", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    // Two seconds' worth at the default limit, as fast as it goes.
    const close = await flood(raw, 2_000, () => "");
    assertEquals(
      close.error,
      "Connection closed: more than 1000 frames per second.",
    );
    assertEquals(close.allowReconnect, undefined);
    await raw.closed;
  });
});

Deno.test("framing: a record sent one byte per frame is closed as a flood by default", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    const record = echoRecord("1", 63 * 1024);
    const close = await flood(raw, 2_000, (i) => record[i]);
    assertEquals(
      close.error,
      "Connection closed: more than 1000 frames per second.",
    );
  });
});

Deno.test("framing: a flood of large frames is closed by the byte limit", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.connected(url);
    // Valid pings padded to 60 KB: 100 frames and messages, 6 MB at once.
    const padded = " ".repeat(60_000) + `{"type":6}${RS}`;
    const close = await flood(raw, 100, () => padded);
    assertEquals(
      close.error,
      `Connection closed: more than ${4 * 1024 * 1024} bytes per second.`,
    );
  });
});

Deno.test("framing: long polling sends count as frames, empty ones too, and a record may span POSTs", async () => {
  const hub = await startRawHub({ framesPerSecond: 10 });
  try {
    const url = `${hub.url}?id=${await negotiate(hub.url)}`;
    const post = (body: string) => request(url, { method: "POST", body });
    assertEquals((await request(url)).status, 200);
    assertEquals((await post(handshake())).status, 200);
    assertEquals((await request(url)).text, `{}${RS}`);
    const record = invoke("1", "Echo", "across");
    await post(record.slice(0, 20));
    await post(record.slice(20));
    assertEquals(
      (await request(url)).text,
      `{"type":3,"invocationId":"1","result":"across"}${RS}`,
    );
    // Empty bodies and no body at all: each POST is a frame.
    for (let i = 0; i < 3; i++) await post("");
    for (let i = 0; i < 9; i++) await request(url, { method: "POST" });
    const answer = await request(url);
    assertEquals(
      answer.text,
      `{"type":7,"error":"Connection closed: more than 10 frames per second."}${RS}`,
    );
  } finally {
    await hub.close();
  }
});

Deno.test("framing: frames before the handshake count too", async () => {
  await withFedApp(async (url) => {
    const raw = await RawClient.open(url);
    for (let i = 0; i < 2_000; i++) raw.send("");
    assertEquals(await raw.next(), {
      error: "Connection closed: more than 1000 frames per second.",
    });
    await raw.closed;
  });
});
