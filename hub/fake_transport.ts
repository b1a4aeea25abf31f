/**
 * An in-memory transport: the seam between a connection and its socket,
 * with nothing behind it. Unit tests drive the handler and the dispatcher
 * through it (what the client sends goes in with `receive`, what the
 * server wrote is in `frames`), so their rules read without sockets. It is
 * a real `Transport`, not a stand-in for one: frames go nowhere else.
 *
 * @module
 */

import type { Payload } from "./protocol/hub_protocol.ts";
import { RECORD_SEPARATOR } from "./protocol/json.ts";
import type {
  Transport,
  TransportEvents,
  TransportName,
} from "./transports/transport.ts";

/** A transport whose other end is the test. */
export class FakeTransport implements Transport {
  readonly name: TransportName;
  readonly inherentKeepAlive: boolean;
  readonly supportsBinary: boolean;
  /** Every frame the server wrote, in order. */
  readonly frames: Payload[] = [];
  /** What `bufferedAmount` reports (a socket backed up by this much). */
  buffered = 0;
  /** Set once the server closed it. */
  closed = false;
  /** True once `drop` was called (waiting data thrown away). */
  dropped = false;
  /** What `abandoned` answers. */
  gone = false;
  #events: TransportEvents | null = null;

  /** A transport named `name` (WebSockets unless told otherwise). */
  constructor(
    name: TransportName = "WebSockets",
    options: { binary?: boolean; keepAlive?: boolean } = {},
  ) {
    this.name = name;
    this.supportsBinary = options.binary ?? name !== "ServerSentEvents";
    this.inherentKeepAlive = options.keepAlive ?? name === "LongPolling";
  }

  /** Where the client's data and the end are reported. */
  bind(events: TransportEvents): void {
    this.#events = events;
  }

  bufferedAmount(): number {
    return this.buffered;
  }

  write(frame: Payload): void {
    if (!this.closed) this.frames.push(frame);
  }

  /** Ends it; the close is reported a microtask later, as a socket's is. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.#events?.closed());
  }

  abandoned(): boolean {
    return this.gone;
  }

  drop(): void {
    this.dropped = true;
    this.close();
  }

  /** The client sends `data`. */
  receive(data: Payload): void {
    this.#events?.received(data);
  }

  /** The client sends JSON hub messages, each with its separator. */
  send(...messages: unknown[]): void {
    this.receive(
      messages.map((m) => JSON.stringify(m) + RECORD_SEPARATOR).join(""),
    );
  }

  /** The client's side went away (the socket's close event). */
  hangUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.#events?.closed();
  }

  /** Every JSON record written so far, parsed, in order. */
  records(): Record<string, unknown>[] {
    const text = this.frames
      .map((f) => typeof f === "string" ? f : new TextDecoder().decode(f))
      .join("");
    return text.split(RECORD_SEPARATOR).filter((r) => r.length > 0).map(
      (r) => JSON.parse(r),
    );
  }
}
