/**
 * The Server-Sent Events transport: server→client frames as unnamed events
 * on a streamed `text/event-stream` response; client→server data arrives
 * by POST (see http_requests.ts). Text only, so MessagePack cannot use it.
 *
 * A client that goes away shows up as the body stream's `cancel()`, not as
 * `req.signal`, which `Deno.serve` may also abort after a normal response.
 * When the response died before Deno noticed, that cancel comes from inside
 * our next `enqueue` (Deno's body pump writes the chunk synchronously and
 * finds the response closed), so it is reported to the hub a microtask
 * later, never in the middle of the hub's own write.
 *
 * @module
 */

import type { Payload } from "../protocol/hub_protocol.ts";
import type { Transport, TransportEvents } from "./transport.ts";

const utf8 = new TextEncoder();
const utf8Text = new TextDecoder();

/** The comment line sent first so EventSource fires `open` at once. */
const OPENING = utf8.encode(":\r\n");

/**
 * One payload as one event: each line becomes `data: <line>`, a blank line
 * ends the event. EventSource joins the lines with "\n" again; the JSON
 * protocol never puts a raw line break inside a record.
 */
export function formatEvent(payload: string): string {
  const lines = payload.split(/\r\n|\r|\n/);
  let out = "";
  for (const line of lines) out += "data: " + line + "\r\n";
  return out + "\r\n";
}

/** One SSE response stream as a hub transport. */
export class ServerSentEventsTransport implements Transport {
  readonly name = "ServerSentEvents" as const;
  readonly inherentKeepAlive = false;
  readonly supportsBinary = false;
  /** The streamed response to return from the GET. */
  readonly response: Response;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #events: TransportEvents | null = null;
  /** No more writes: the stream was closed or cancelled. */
  #closed = false;
  /** The hub was told (once). */
  #ended = false;

  /**
   * Builds the response stream. The stream queues what the client has not
   * read yet; its size is `bufferedAmount()`, which the connection's
   * slow-consumer bound checks before each write.
   */
  constructor() {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        controller.enqueue(OPENING);
      },
      cancel: () => {
        this.#closed = true;
        // Maybe inside write(): the hub's handshake answer, say, before
        // the connection is open. Reported once that write has returned.
        queueMicrotask(() => this.#finish());
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: 0 }));
    this.response = new Response(body, {
      status: 200,
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        // No compression: a gzip stream would hold events back.
        "content-encoding": "identity",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Binds the hub's callbacks (after `attach`). */
  bind(events: TransportEvents): void {
    this.#events = events;
    if (this.#ended) events.closed();
  }

  bufferedAmount(): number {
    const desired = this.#controller?.desiredSize ?? 0;
    return desired < 0 ? -desired : 0;
  }

  write(frame: Payload): void {
    if (this.#closed || this.#controller === null) return;
    const text = typeof frame === "string" ? frame : utf8Text.decode(frame);
    this.#controller.enqueue(utf8.encode(formatEvent(text)));
  }

  abandoned(): boolean {
    return false;
  }

  drop(): void {
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // Queued events (a final Close message) still go out before the end.
      this.#controller?.close();
    } catch {
      // Already cancelled by the client.
    }
    // Later, so the hub's cleanup never runs inside its own end().
    queueMicrotask(() => this.#finish());
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#events?.closed();
  }
}
