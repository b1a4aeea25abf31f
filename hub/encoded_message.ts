/**
 * A message encoded at most once per protocol, however many connections
 * receive it: the bytes of a broadcast are shared, not rebuilt per socket.
 *
 * @module
 */

import type { HubProtocol, Payload } from "./protocol/hub_protocol.ts";
import type { HubMessage } from "./protocol/messages.ts";

/** Lazily encoded payloads of one message. */
export class EncodedMessage {
  readonly message: HubMessage;
  // Two protocols exist; a tiny array beats a Map for one or two entries.
  #protocols: HubProtocol[] = [];
  #payloads: Payload[] = [];

  /** Wraps `message`; nothing is encoded until a protocol asks. */
  constructor(message: HubMessage) {
    this.message = message;
  }

  /** The message in `protocol`'s framing, encoded on first use. */
  payloadFor(protocol: HubProtocol): Payload {
    const i = this.#protocols.indexOf(protocol);
    if (i >= 0) return this.#payloads[i];
    const payload = protocol.encode(this.message);
    this.#protocols.push(protocol);
    this.#payloads.push(payload);
    return payload;
  }
}
