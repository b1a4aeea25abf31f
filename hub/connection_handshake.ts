/**
 * The SignalR handshake of one hub connection: read the request (it may
 * come in pieces), pick the protocol, refuse a binary protocol on a text
 * transport, turn stateful reconnect on when it was offered, and answer.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";
import type { ResolvedHubOptions } from "./options.ts";
import type { Payload } from "./protocol/hub_protocol.ts";
import { HANDSHAKE_OK, selectProtocol } from "./protocol/handshake.ts";
import { startStateful } from "./stateful_reconnect.ts";

/** What one chunk of handshake data came to. */
export type HandshakeStep =
  /** The request is not complete yet. */
  | { readonly kind: "waiting" }
  /** Refused: answer with this error and close. */
  | { readonly kind: "failed"; readonly error: string }
  /** Answered OK; `rest` is what followed the request in the same chunk. */
  | { readonly kind: "done"; readonly rest: Payload | null };

const WAITING: HandshakeStep = Object.freeze({ kind: "waiting" });

/** Feeds `data` to the handshake of `connection`; answers when complete. */
export function handshakeStep(
  connection: HubConnection,
  data: Payload,
  options: ResolvedHubOptions,
): HandshakeStep {
  const phase = connection.phase;
  const transport = connection.transport;
  if (phase?.kind !== "handshaking" || transport === null) return WAITING;
  let result;
  try {
    result = phase.reader.push(data);
  } catch (error) {
    return { kind: "failed", error: (error as Error).message };
  }
  if (!result) return WAITING;
  const protocol = selectProtocol(result.request, options.protocols);
  if (typeof protocol === "string") return { kind: "failed", error: protocol };
  if (protocol.transferFormat === "Binary" && !transport.supportsBinary) {
    return {
      kind: "failed",
      error:
        `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`,
    };
  }
  startStateful(connection, result.request.version, options);
  connection.writeNow(HANDSHAKE_OK);
  connection.handshaken(
    protocol,
    protocol.createDecoder(options.maxMessageSize),
  );
  return { kind: "done", rest: result.rest };
}
