/**
 * The hub-level connection (ASP.NET's `HubConnectionContext`): a
 * transport-level connection plus what the SignalR handshake adds, the
 * hub protocol and its decoder, and the app's `ctx.items`. What runs on it
 * (invocations, streams) is the dispatcher's; the hub's phase is one value
 * of `HubPhase`, changed only by the methods here.
 *
 * @module
 */

import type {
  HubProtocol,
  MessageDecoder,
  Payload,
} from "./protocol/hub_protocol.ts";
import { joinPayloads } from "./protocol/hub_protocol.ts";
import {
  type HubMessage,
  isTrackable,
  MessageType,
} from "./protocol/messages.ts";
import type { HandshakeReader } from "./protocol/handshake.ts";
import { TransportConnection } from "./transport_connection.ts";

export type {
  CloseReason,
  ConnectionIds,
  ConnectionOwner,
  LinkState,
  LinkStateName,
} from "./transport_connection.ts";

/** The handshake is being read (the transport is `attached`). */
export interface Handshaking {
  readonly kind: "handshaking";
  readonly reader: HandshakeReader;
}

/** The handshake succeeded: a protocol, and a decoder for its messages. */
export interface Handshaken {
  readonly kind: "handshaken";
  readonly protocol: HubProtocol;
  /** Replaced on a stateful reattach: a partial record must not carry over. */
  readonly decoder: MessageDecoder;
  /**
   * The dispatcher's record of this connection (its `InvocationQueue`),
   * kept here so finding it costs no lookup. Opaque at this level: the
   * record sits above the connection and points down at it.
   */
  calls: object | null;
}

/** Where a hub connection is in the SignalR handshake. */
export type HubPhase = Handshaking | Handshaken;

/** One hub client connection. */
export class HubConnection extends TransportConnection {
  #phase: HubPhase | null = null;
  #items: Map<string, unknown> | null = null;

  /** The handshake's progress; null before a transport attached. */
  get phase(): HubPhase | null {
    return this.#phase;
  }

  /** The agreed protocol, or null before the handshake succeeded. */
  get protocol(): HubProtocol | null {
    const phase = this.#phase;
    return phase?.kind === "handshaken" ? phase.protocol : null;
  }

  /** The client's data is text once a text protocol is agreed. */
  override get textInput(): boolean {
    return this.protocol?.transferFormat === "Text";
  }

  /** Free-form per-connection data for the app (`ctx.items`), made on use. */
  get items(): Map<string, unknown> {
    return this.#items ??= new Map();
  }

  /** A transport attached: its first bytes are the handshake. */
  startHandshake(reader: HandshakeReader): void {
    if (this.#phase === null) this.#phase = { kind: "handshaking", reader };
  }

  /** The handshake succeeded: messages flow from now on. */
  handshaken(protocol: HubProtocol, decoder: MessageDecoder): Handshaken {
    const phase: Handshaken = {
      kind: "handshaken",
      protocol,
      decoder,
      calls: null,
    };
    this.#phase = phase;
    this.open(Date.now());
    return phase;
  }

  /**
   * A stateful reattach: a fresh decoder, so a partial record from the
   * dead socket does not prefix the new one's.
   */
  freshDecoder(maxMessageSize: number): void {
    const phase = this.#phase;
    if (phase?.kind !== "handshaken") return;
    const decoder = phase.protocol.createDecoder(maxMessageSize);
    this.#phase = {
      kind: "handshaken",
      protocol: phase.protocol,
      decoder,
      calls: phase.calls,
    };
  }

  /** The dispatcher's record, from the handshake to cleanup; or null. */
  get calls(): object | null {
    const phase = this.#phase;
    return phase?.kind === "handshaken" ? phase.calls : null;
  }

  /** Keeps (or, with null, drops) the dispatcher's record. */
  keepCalls(record: object | null): void {
    const phase = this.#phase;
    if (phase?.kind === "handshaken") phase.calls = record;
  }

  /**
   * Encodes with this connection's protocol and queues; a Completion (the
   * answer to this client's own call) may go at once (see `send`).
   */
  sendMessage(message: HubMessage): boolean {
    const protocol = this.protocol;
    return protocol !== null &&
      this.send(
        protocol.encode(message),
        isTrackable(message),
        message.type === MessageType.Completion,
      );
  }

  /**
   * A stateful client is back on a new socket and spoke first (so the
   * socket is open): our Sequence, then every unacked message in order,
   * as one frame, before anything newer.
   */
  resumeReplay(now: number): void {
    const replay = this.replay;
    const protocol = this.protocol;
    if (replay === null || protocol === null) return;
    const kept = replay.replay();
    const sequence = protocol.encode({
      type: MessageType.Sequence,
      sequenceId: kept.sequenceId,
    });
    this.resume(joinPayloads([sequence, ...kept.payloads]), now);
  }

  /** Encodes a final message (a Close) for `end`, or null before handshake. */
  encode(message: HubMessage): Payload | null {
    return this.protocol?.encode(message) ?? null;
  }
}
