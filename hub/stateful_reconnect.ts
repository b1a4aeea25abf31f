/**
 * Stateful reconnect's rules, apart from the handler that drives them:
 * when it is on, what an incoming message means for the sequence numbers,
 * and the heartbeat's part (debounced Acks, the ack deadline, the
 * reconnect window). The numbers live in `ReplayBuffer`.
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";
import type { HubConnection } from "./connection.ts";
import { ReplayBuffer } from "./replay_buffer.ts";
import {
  type HubMessage,
  isTrackable,
  MessageType,
} from "./protocol/messages.ts";

/**
 * Turns stateful reconnect on at the handshake. ASP.NET's rule: negotiate
 * offered it (the client asked), the client speaks protocol version 2,
 * and the transport is a WebSocket (the only one that can resume).
 */
export function startStateful(
  connection: HubConnection,
  version: number,
  options: ResolvedHubOptions,
): void {
  if (
    connection.statefulOffered && version >= 2 &&
    connection.transport?.name === "WebSockets"
  ) {
    connection.startReplay(
      new ReplayBuffer(options.statefulReconnectBufferBytes),
    );
  }
}

/** What the handler does with one incoming message. */
export type Screened = "dispatch" | "handled" | "drop" | "bad-sequence";

/**
 * Applies the sequence rules to an incoming message: Acks free our
 * buffer, a Sequence resets the count, duplicates (ids already processed)
 * and anything before the Sequence on a resumed socket are dropped.
 */
export function screenIncoming(
  replay: ReplayBuffer,
  message: HubMessage,
): Screened {
  if (replay.awaitingSequence && message.type !== MessageType.Sequence) {
    return "drop";
  }
  switch (message.type) {
    case MessageType.Ack:
      replay.ack(message.sequenceId);
      return "handled";
    case MessageType.Sequence:
      return replay.sequence(message.sequenceId) ? "handled" : "bad-sequence";
    default:
      if (!isTrackable(message)) return "dispatch";
      return replay.received() ? "dispatch" : "drop";
  }
}

/** What the heartbeat should do about a connected stateful connection. */
export type StatefulVerdict = "ok" | "stuck";

/**
 * The heartbeat's part while connected: sends the debounced Ack of what
 * we processed (the client keeps its own buffer until then and would
 * block its sends at 100,000 bytes), and reports a client that has not
 * acked our oldest message within the deadline.
 */
export function sweepStateful(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
): StatefulVerdict {
  const replay = c.replay;
  const link = c.link;
  if (replay === null || link.kind !== "open") return "ok";
  const oldest = replay.oldestAt;
  // Time without a socket does not count: the clock starts again when the
  // client comes back, whatever the reconnect window is set to.
  if (
    oldest !== undefined &&
    now - Math.max(oldest, link.since) > options.statefulReconnectAckTimeoutMs
  ) return "stuck";
  const due = replay.ackDue();
  if (due !== null) c.sendMessage({ type: MessageType.Ack, sequenceId: due });
  return "ok";
}

/** True once a dropped stateful connection waited past its window. */
export function reconnectWindowOver(
  c: HubConnection,
  now: number,
  options: ResolvedHubOptions,
): boolean {
  const link = c.link;
  return link.kind === "suspended" &&
    now - link.since > options.statefulReconnectWindowMs;
}
