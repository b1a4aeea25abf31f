/**
 * The WebSocket transport on `Deno.upgradeWebSocket`. JSON travels in text
 * frames, MessagePack in binary frames; `bufferedAmount` feeds the
 * slow-consumer bound because Deno's `send()` never pushes back.
 *
 * @module
 */

import type { Payload } from "../protocol/hub_protocol.ts";
import type { Transport, TransportEvents } from "./transport.ts";

/** One server-side WebSocket as a hub transport. */
export class WebSocketTransport implements Transport {
  readonly name = "WebSockets" as const;
  readonly inherentKeepAlive = false;
  readonly supportsBinary = true;
  readonly #socket: WebSocket;

  /** Wraps an upgraded socket. */
  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  write(frame: Payload): void {
    // Messages may be queued before the upgrade completes; those that
    // find the socket not open are dropped with it.
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
  }

  close(code = 1000, reason?: string): void {
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing: the close event still comes.
    }
  }
}

/**
 * Upgrades `request` and binds the socket through `attach`. Read every
 * header you need before calling: the request is consumed.
 */
export function acceptWebSocket(
  request: Request,
  attach: (transport: Transport) => TransportEvents,
): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.binaryType = "arraybuffer";
  const transport = new WebSocketTransport(socket);
  // Attach now, not on open, so a second socket for the same connection
  // is refused (409) even while this one is still opening.
  const events = attach(transport);
  socket.onmessage = (event: MessageEvent) => {
    const data = event.data;
    events.received(
      typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer),
    );
  };
  socket.onclose = () => events.closed();
  socket.onerror = () => {};
  return response;
}
