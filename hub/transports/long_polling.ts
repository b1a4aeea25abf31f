/**
 * The long-polling transport: each GET takes whatever frames are waiting,
 * or parks until a frame comes or the poll timeout passes; client→server
 * data arrives by POST (see http_requests.ts). Frames written between polls
 * wait here, so nothing is lost while the client is between two requests.
 *
 * Answers (docs/protocol.md, Transports): 200 with data, 200 empty on timeout,
 * 204 once the connection is over or a newer poll replaced this one.
 *
 * @module
 */

import {
  joinPayloads,
  type Payload,
  payloadSize,
} from "../protocol/hub_protocol.ts";
import type { Transport, TransportEvents } from "./transport.ts";

/** The client gives up on a poll after 100 s, so ours must end before. */
export const MAX_POLL_TIMEOUT_MS = 95_000;

/** Limits of one long-polling transport. */
export interface LongPollingOptions {
  /** How long a poll is parked before it answers 200 empty. */
  readonly pollTimeoutMs: number;
  /** A connection with no poll for this long is dropped (heartbeat). */
  readonly inactivityMs: number;
  /**
   * Hard cap on waiting bytes. The connection already closes a slow
   * consumer at its own bound (via `bufferedAmount()`); this cap only
   * catches a writer that bypasses it. Overflow drops the frame and ends
   * the transport.
   */
  readonly maxBufferedBytes: number;
}

interface Parked {
  readonly resolve: (response: Response) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const utf8 = new TextEncoder();

/** The answer to the very first poll: 200, empty, at once. */
export function firstPollResponse(): Response {
  return new Response(null, { status: 200, headers: noStore() });
}

function noStore(): Record<string, string> {
  return { "cache-control": "no-cache, no-store" };
}

/** One long-polling connection's server side. */
export class LongPollingTransport implements Transport {
  readonly name = "LongPolling" as const;
  readonly inherentKeepAlive = true;
  readonly supportsBinary = true;
  readonly #options: LongPollingOptions;
  #frames: Payload[] = [];
  #bytes = 0;
  #parked: Parked | null = null;
  /** When the last poll arrived or was answered. */
  #lastPoll = Date.now();
  #events: TransportEvents | null = null;
  /** No more writes: the connection is ending. */
  #closed = false;
  /** The hub was told (once). */
  #ended = false;

  /** A transport whose first poll is being answered now. */
  constructor(options: LongPollingOptions) {
    this.#options = {
      ...options,
      pollTimeoutMs: Math.min(options.pollTimeoutMs, MAX_POLL_TIMEOUT_MS),
    };
  }

  /** Binds the hub's callbacks (after `attach`). */
  bind(events: TransportEvents): void {
    this.#events = events;
  }

  bufferedAmount(): number {
    return this.#bytes;
  }

  /** True when no poll has been parked or answered for the inactivity time. */
  abandoned(now: number): boolean {
    return this.#parked === null &&
      now - this.#lastPoll > this.#options.inactivityMs;
  }

  write(frame: Payload): void {
    if (this.#closed) return;
    const size = payloadSize(frame);
    if (this.#bytes + size > this.#options.maxBufferedBytes) {
      this.discard();
      this.close();
      return;
    }
    this.#frames.push(frame);
    this.#bytes += size;
    if (this.#parked) this.#answer(this.#take());
  }

  /**
   * A later poll (the first is `firstPollResponse`). Waiting frames answer
   * it at once; otherwise it parks. A parked older poll ends with 204.
   * `req.signal` is not watched: `Deno.serve` also aborts it after normal
   * responses, so a poll the client abandoned holds until its timeout.
   */
  poll(): Response | Promise<Response> {
    this.#lastPoll = Date.now();
    if (this.#parked) this.#answer(new Response(null, { status: 204 }));
    if (this.#frames.length > 0) return this.#take();
    if (this.#closed) {
      this.#finish();
      return new Response(null, { status: 204 });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          this.#answer(new Response(null, { status: 200, headers: noStore() })),
        this.#options.pollTimeoutMs,
      );
      this.#parked = { resolve, timer };
    });
  }

  /** Drops waiting frames (a DELETE: the client wants nothing more). */
  discard(): void {
    this.#frames = [];
    this.#bytes = 0;
  }

  /** Drops waiting frames and ends: nobody will poll for them. */
  drop(): void {
    this.discard();
    this.close();
    // Closed earlier with frames waiting: nobody will take them now.
    queueMicrotask(() => this.#finish());
  }

  /**
   * Ends the transport. A parked poll takes the last frames (a Close
   * message) or gets 204; frames nobody polls for are dropped by the
   * heartbeat's inactivity check.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#parked) {
      this.#answer(
        this.#frames.length > 0
          ? this.#take()
          : new Response(null, { status: 204 }),
      );
    }
    if (this.#frames.length === 0) queueMicrotask(() => this.#finish());
  }

  #take(): Response {
    const body = joinFrames(this.#frames);
    this.discard();
    if (this.#closed) queueMicrotask(() => this.#finish());
    // Frames are ours (strings or ArrayBuffer-backed arrays), never shared.
    return new Response(body as BodyInit, {
      status: 200,
      headers: { ...noStore(), "content-type": "application/octet-stream" },
    });
  }

  #answer(response: Response): void {
    const parked = this.#parked;
    if (parked === null) return;
    this.#parked = null;
    this.#lastPoll = Date.now();
    clearTimeout(parked.timer);
    parked.resolve(response);
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#parked) this.#answer(new Response(null, { status: 204 }));
    this.#events?.closed();
  }
}

/**
 * One poll body from several frames. Text stays text; a mix (the JSON
 * handshake answer ahead of MessagePack frames) becomes bytes.
 */
function joinFrames(frames: Payload[]): Payload {
  if (frames.every((f) => typeof f === "string")) return joinPayloads(frames);
  return joinPayloads(
    frames.map((f) => typeof f === "string" ? utf8.encode(f) : f),
  );
}
