/**
 * The events of one transport of one connection, routed to the handler.
 *
 * @module
 */

import type { TransportConnection } from "./transport_connection.ts";
import type { Payload } from "./protocol/hub_protocol.ts";
import type { Transport, TransportEvents } from "./transports/transport.ts";

/** Where the events go: the connection handler (hub or raw). */
export interface EventSink<C> {
  /** Data from the client on the connection's current transport. */
  received(connection: C, data: Payload): void;
  /** `transport` ended; the sink ignores it if it was replaced. */
  transportClosed(connection: C, transport: Transport): void;
}

/**
 * What one transport of one connection reports, routed to the handler. A
 * class, not two arrow functions, so each socket costs one small object
 * instead of two closures and their scope.
 */
export class ConnectionEvents<C extends TransportConnection>
  implements TransportEvents {
  readonly #handler: EventSink<C>;
  readonly #connection: C;
  readonly #transport: Transport;
  #ended = false;

  /** Events of `transport`, carrying `connection`, for `handler`. */
  constructor(
    handler: EventSink<C>,
    connection: C,
    transport: Transport,
  ) {
    this.#handler = handler;
    this.#connection = connection;
    this.#transport = transport;
    connection.socketOpened();
  }

  received(data: Payload): void {
    // Data of a socket that was replaced by a reconnect is ignored.
    if (this.#connection.transport === this.#transport) {
      this.#handler.received(this.#connection, data);
    }
  }

  closed(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handler.transportClosed(this.#connection, this.#transport);
    this.#connection.socketEnded();
  }
}
