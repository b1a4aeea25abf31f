/**
 * The WebSocket transport on `Deno.upgradeWebSocket`. JSON travels in text
 * frames, MessagePack in binary frames; `bufferedAmount` feeds the
 * slow-consumer bound because Deno's `send()` never pushes back.
 *
 * @module
 */

import type { Payload } from "../protocol/hub_protocol.ts";
import type { Transport, TransportEvents } from "./transport.ts";

/**
 * One server-side WebSocket as a hub transport. It is also the socket's
 * event listener (the DOM `handleEvent` form): with thousands of idle
 * sockets, one shared method beats three closures per socket, plus the
 * wrapper closure Deno's `on*` setters make around each of them.
 */
export class WebSocketTransport implements Transport, EventListenerObject {
  readonly name = "WebSockets" as const;
  readonly inherentKeepAlive = false;
  readonly supportsBinary = true;
  readonly #socket: WebSocket;
  #events: TransportEvents | null = null;

  /** Wraps an upgraded socket; `listen` starts reporting its events. */
  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /** Reports the socket's messages and close to `events`. */
  listen(events: TransportEvents): void {
    this.#events = events;
    this.#socket.addEventListener("message", this);
    this.#socket.addEventListener("close", this);
    // A listener so an error never goes unhandled; the close event follows.
    this.#socket.addEventListener("error", this);
  }

  /** The socket's events (EventListenerObject). */
  handleEvent(event: Event): void {
    const events = this.#events;
    if (events === null) return; // listeners are added by `listen` only
    if (event.type === "message") {
      const data = (event as MessageEvent).data;
      events.received(
        typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer),
      );
    } else if (event.type === "close") {
      events.closed();
    }
  }

  bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  write(frame: Payload): void {
    // Messages may be queued before the upgrade completes; those that
    // find the socket not open are dropped with it.
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
  }

  abandoned(): boolean {
    return false;
  }

  drop(): void {
    this.close();
  }

  close(): void {
    const socket = this.#socket;
    if (socket.readyState === WebSocket.CONNECTING) {
      // Deno only marks a socket closing before it opens and never sends
      // the Close frame, so a silent peer would keep it forever: close it
      // once it is open instead.
      socket.addEventListener("open", () => this.close(), { once: true });
      return;
    }
    try {
      // 1000 is the only code the client does not report as an error; the
      // Close message sent before it says why.
      this.#socket.close(1000);
    } catch {
      // Already closing: the close event still comes.
    }
  }
}

/**
 * Why `request` cannot be upgraded, or null: the checks
 * `Deno.upgradeWebSocket` makes, asked first so a broken upgrade gets 400
 * before anything is made for it (thrown, it was a 500).
 */
export function upgradeRefusal(request: Request): string | null {
  const { headers } = request;
  if (!hasToken(headers.get("upgrade"), "websocket")) {
    return "The Upgrade header must name websocket";
  }
  if (!hasToken(headers.get("connection"), "upgrade")) {
    return "The Connection header must name Upgrade";
  }
  if (headers.get("sec-websocket-key") === null) {
    return "A WebSocket upgrade needs a Sec-WebSocket-Key header";
  }
  return null;
}

/** True when the comma-separated `value` holds `token` (any case). */
function hasToken(value: string | null, token: string): boolean {
  return value !== null &&
    value.split(",").some((part) => part.trim().toLowerCase() === token);
}

/** How a socket is accepted. */
export interface AcceptOptions {
  /** Runs once the socket is open (writes before that are dropped). */
  opened?: () => void;
  /**
   * The protocol above pings idle lines and closes silent clients itself
   * (the hub's heartbeat), so Deno's own idle timeout is turned off: it
   * would only repeat that work, and it re-arms a timer on every incoming
   * message, which costs request/response a measurable share of its CPU.
   * Raw connections keep it: nothing above them notices a dead peer.
   */
  ownKeepAlive?: boolean;
}

/**
 * Upgrades `request` and binds the socket through `attach`. Read every
 * header you need before calling: the request is consumed.
 */
export function acceptWebSocket(
  request: Request,
  attach: (transport: Transport) => TransportEvents,
  options: AcceptOptions = {},
): Response {
  const { socket, response } = Deno.upgradeWebSocket(
    request,
    options.ownKeepAlive ? { idleTimeout: 0 } : undefined,
  );
  const opened = options.opened;
  socket.binaryType = "arraybuffer";
  if (opened) socket.addEventListener("open", opened, { once: true });
  const transport = new WebSocketTransport(socket);
  // Attach now, not on open, so a second socket for the same connection
  // is refused (409) even while this one is still opening.
  transport.listen(attach(transport));
  return response;
}
