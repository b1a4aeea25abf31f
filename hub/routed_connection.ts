/**
 * What routing needs of a connection: its ids, its wire protocol and a way
 * to queue bytes. The lifetime manager, the group and user indexes and the
 * client results depend on this interface, not on the connection class,
 * so routing sits below the per-connection layer and can be tested with
 * plain objects.
 *
 * @module
 */

import type { HubProtocol, Payload } from "./protocol/hub_protocol.ts";
import type { HubMessage } from "./protocol/messages.ts";
import type { TransportName } from "./transports/transport.ts";

/** A connection as routing sees it. */
export interface RoutedConnection {
  /** The public connection id, the key of every routing index. */
  readonly id: string;
  /** The signed-in user, or null when anonymous. */
  readonly userId: string | null;
  /** Null until the handshake picked one; nothing is sent before. */
  readonly protocol: HubProtocol | null;
  /** Null until a transport attached (for the admin's mix). */
  readonly transportName: TransportName | null;
  /** Queues encoded bytes; false when refused (closed or over its bound). */
  send(payload: Payload): boolean;
  /** Encodes with the connection's protocol and queues. */
  sendMessage(message: HubMessage): boolean;
}
