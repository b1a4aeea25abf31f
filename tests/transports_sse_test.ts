/**
 * Server-Sent Events on the wire, by hand: headers, the opening comment,
 * `data:` lines, POST sends, 409 for a second stream, a vanished client
 * noticed through the stream's cancel, and MessagePack refused.
 */

import { assertEquals, assertOk } from "./helpers/assert.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import {
  handshake,
  invoke,
  negotiate,
  request,
  RS,
  startRawHub,
} from "./helpers/raw_hub.ts";
import { formatEvent } from "../hub/transports/server_sent_events.ts";

/** An open event stream read chunk by chunk. */
class RawEventStream {
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly response: Response;
  #seen = "";

  constructor(response: Response) {
    this.response = response;
    this.#reader = response.body!.pipeThrough(new TextDecoderStream())
      .getReader();
  }

  /** Reads until the text so far contains `marker`; returns it all. */
  async until(marker: string): Promise<string> {
    while (!this.#seen.includes(marker)) {
      const { done, value } = await this.#reader.read();
      if (done) {
        throw new Error(`stream ended before ${JSON.stringify(marker)}`);
      }
      this.#seen += value;
    }
    const out = this.#seen;
    this.#seen = "";
    return out;
  }

  /** Reads to the end of the stream. */
  async rest(): Promise<string> {
    for (;;) {
      const { done, value } = await this.#reader.read();
      if (done) return this.#seen;
      this.#seen += value;
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

async function openStream(url: string): Promise<RawEventStream> {
  const res = await fetch(url, { headers: { accept: "text/event-stream" } });
  return new RawEventStream(res);
}

Deno.test("SSE: formatEvent turns every payload line into a data line", () => {
  assertEquals(formatEvent("{}" + RS), "data: {}\x1e\r\n\r\n");
  assertEquals(
    formatEvent("a\nb\r\nc"),
    "data: a\r\ndata: b\r\ndata: c\r\n\r\n",
  );
});

Deno.test("SSE: headers, the opening comment, then each frame as data lines", async () => {
  const hub = await startRawHub();
  try {
    const token = await negotiate(hub.url);
    const url = `${hub.url}?id=${token}`;
    const stream = await openStream(url);
    assertEquals(stream.response.status, 200);
    assertEquals(
      stream.response.headers.get("content-type"),
      "text/event-stream",
    );
    assertEquals(stream.response.headers.get("cache-control"), "no-cache");
    assertEquals(await stream.until(":\r\n"), ":\r\n");
    assertEquals(
      (await request(url, { method: "POST", body: handshake() })).status,
      200,
    );
    assertEquals(await stream.until("\r\n\r\n"), "data: {}\x1e\r\n\r\n");
    const call = (id: string) => invoke(id, "Echo", id);
    await request(url, { method: "POST", body: call("1") + call("2") });
    const events = await stream.until('"invocationId":"2"');
    assertOk(
      events.startsWith('data: {"type":3,"invocationId":"1","result":"1"}\x1e'),
      events,
    );
    // A second stream for the same connection is refused.
    assertEquals(
      (await request(url, { headers: { accept: "text/event-stream" } })).status,
      409,
    );
    // Long polling cannot take over an SSE connection, nor DELETE end it.
    assertEquals((await request(url)).status, 400);
    assertEquals((await request(url, { method: "DELETE" })).status, 400);
    // The client's Close ends the stream.
    await request(url, {
      method: "POST",
      body: JSON.stringify({ type: 7 }) + RS,
    });
    await stream.rest();
    await waitUntil(() => hub.hub.sizes().store === 0, "connection removed");
  } finally {
    await hub.close();
  }
});

Deno.test("SSE: a client that goes away is noticed through the stream's cancel", async () => {
  const hub = await startRawHub();
  try {
    const token = await negotiate(hub.url);
    const url = `${hub.url}?id=${token}`;
    const stream = await openStream(url);
    await stream.until(":\r\n");
    await request(url, { method: "POST", body: handshake() });
    await stream.until("\r\n\r\n");
    assertEquals(hub.hub.sizes().connections, 1);
    await stream.cancel();
    await waitUntil(() => hub.hub.sizes().store === 0, "connection dropped");
    assertEquals(hub.hub.sizes().connections, 0);
    assertEquals(
      (await request(url, { method: "POST", body: "x" })).status,
      404,
    );
  } finally {
    await hub.close();
  }
});

Deno.test("SSE: a MessagePack handshake fails with the transport error", async () => {
  const hub = await startRawHub();
  try {
    const token = await negotiate(hub.url);
    const url = `${hub.url}?id=${token}`;
    const stream = await openStream(url);
    await stream.until(":\r\n");
    await request(url, { method: "POST", body: handshake("messagepack") });
    const text = await stream.rest();
    const error =
      "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.";
    assertEquals(text, `data: ${JSON.stringify({ error })}\x1e\r\n\r\n`);
    await waitUntil(() => hub.hub.sizes().store === 0, "connection removed");
  } finally {
    await hub.close();
  }
});
