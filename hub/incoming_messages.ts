/**
 * Hub messages from a handshaken client: decoded with the size limit,
 * counted against the message rate, screened by stateful reconnect's
 * sequence rules, and routed (calls to the dispatcher, answers to client
 * results, a Close to the end of the connection).
 *
 * @module
 */

import type { CloseReason, HubConnection } from "./connection.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { ClientResults } from "./client_results.ts";
import type { HubCounters } from "./metrics.ts";
import type { Logger } from "./logger.ts";
import type { InputLimit } from "./rate_limit.ts";
import type { Payload } from "./protocol/hub_protocol.ts";
import {
  type HubMessage,
  MessageTooLargeError,
  MessageType,
} from "./protocol/messages.ts";
import { screenIncoming } from "./stateful_reconnect.ts";

/** How incoming messages end a connection; the handler provides it. */
export interface Closer {
  /** Sends a Close with `error` and ends the connection. */
  close(connection: HubConnection, reason: CloseReason, error?: string): void;
  /** Closes a connection over an input limit, counting `dropped`. */
  rateLimited(
    connection: HubConnection,
    limit: InputLimit,
    dropped: number,
  ): void;
  /** Closes a connection whose waiting calls passed their byte bound. */
  pendingOverflow(connection: HubConnection): void;
}

/** What routing needs, owned by the hub server. */
export interface RouteParts {
  readonly dispatcher: Dispatcher;
  readonly results: ClientResults;
  readonly counters: HubCounters;
  readonly logger: Logger;
}

/** Decodes and routes the messages of handshaken connections. */
export class IncomingMessages {
  readonly #p: RouteParts;
  readonly #closer: Closer;

  /** Routes to `parts`; limits and errors end connections through `closer`. */
  constructor(parts: RouteParts, closer: Closer) {
    this.#p = parts;
    this.#closer = closer;
  }

  /** Data from a handshaken client: zero or more whole messages. */
  receive(connection: HubConnection, data: Payload): void {
    const phase = connection.phase;
    if (phase?.kind !== "handshaken") return;
    const now = Date.now();
    connection.heard(now);
    const decoder = phase.decoder;
    const heldBefore = decoder.buffered;
    let messages: HubMessage[];
    try {
      messages = decoder.push(data);
    } catch (error) {
      return this.#protocolError(connection, error);
    }
    const rate = connection.rate;
    if (rate && !rate.messages(messages.length, now)) {
      return this.#closer.rateLimited(connection, "messages", messages.length);
    }
    const share = invocationShare(
      messages,
      heldBefore + payloadUnits(data) - decoder.buffered,
    );
    for (const message of messages) {
      if (connection.state !== "open") return;
      this.#p.counters.messagesReceived++;
      if (connection.replay) {
        const verdict = screenIncoming(connection.replay, message);
        if (verdict === "bad-sequence") {
          return this.#closer.close(
            connection,
            "protocol-error",
            "Sequence ID greater than amount of messages we've received.",
          );
        }
        if (verdict !== "dispatch") continue;
      }
      this.#route(connection, message, share);
    }
  }

  #protocolError(connection: HubConnection, error: unknown): void {
    const text = (error as Error).message;
    this.#p.counters.errors++;
    this.#p.logger.log("warn", "connection.protocol_error", {
      connectionId: connection.id,
      error: text,
    });
    this.#closer.close(
      connection,
      error instanceof MessageTooLargeError
        ? "message-too-large"
        : "protocol-error",
      `Connection closed with an error. InvalidDataException: ${text}`,
    );
  }

  #route(connection: HubConnection, message: HubMessage, size: number): void {
    const { dispatcher } = this.#p;
    switch (message.type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation:
        if (!dispatcher.invoke(connection, message, size)) {
          this.#closer.pendingOverflow(connection);
        }
        return;
      case MessageType.Close:
        // The client is leaving: no Close back, just end.
        connection.end(null, "client-closed");
        return;
      case MessageType.StreamItem:
        return dispatcher.streamItem(connection, message);
      case MessageType.Completion:
        // Not queued behind running invocations: a method awaiting a
        // client result on its own caller would otherwise deadlock.
        if (!dispatcher.completeUpload(connection, message)) {
          this.#p.results.complete(connection, message);
        }
        return;
      case MessageType.CancelInvocation:
        return dispatcher.cancel(connection, message);
      default:
        // A Ping only refreshed `lastReceived`; Ack and Sequence were
        // screened above.
        return;
    }
  }
}

/** A payload's length in the units `MessageDecoder.buffered` counts. */
function payloadUnits(data: Payload): number {
  return typeof data === "string" ? data.length : data.byteLength;
}

/**
 * What each invocation in `messages` is charged against the pending bound:
 * every unit the decoder consumed for them (earlier frames of a record
 * included) split among the invocations alone. Splitting by frame instead
 * let a call sent as its body and then a lone separator, or padded with
 * pings, be charged a byte and park megabytes behind a blocked call.
 */
function invocationShare(messages: HubMessage[], consumed: number): number {
  let calls = 0;
  for (const m of messages) {
    if (
      m.type === MessageType.Invocation ||
      m.type === MessageType.StreamInvocation
    ) calls++;
  }
  return calls === 0 ? 0 : Math.ceil(Math.max(0, consumed) / calls);
}
