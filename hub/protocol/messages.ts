/**
 * The SignalR hub message vocabulary (types 1-9), shared by every protocol.
 *
 * Field names follow the JSON hub protocol; the MessagePack protocol maps the
 * same shapes to arrays (docs/protocol.md, Message types).
 *
 * @module
 */

/** Numeric message types of the SignalR hub protocol. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

/** One of the numeric message types. */
export type MessageTypeValue = typeof MessageType[keyof typeof MessageType];

/** String-to-string headers; receivers tolerate and ignore them. */
export type MessageHeaders = Record<string, string>;

/** A call of `target`; without `invocationId` it is non-blocking. */
export interface InvocationMessage {
  type: typeof MessageType.Invocation;
  invocationId?: string;
  target: string;
  arguments: unknown[];
  streamIds?: string[];
  headers?: MessageHeaders;
}

/** One item of a stream (server→client result stream or client upload). */
export interface StreamItemMessage {
  type: typeof MessageType.StreamItem;
  invocationId: string;
  item: unknown;
  headers?: MessageHeaders;
}

/**
 * The end of an invocation or stream. `result` and `error` are exclusive;
 * neither means a void completion. `hasResult` keeps `result: null` apart
 * from "no result" for protocols (MessagePack) that encode the difference.
 */
export interface CompletionMessage {
  type: typeof MessageType.Completion;
  invocationId: string;
  result?: unknown;
  error?: string;
  hasResult?: boolean;
  headers?: MessageHeaders;
}

/** A call whose answer is a stream of items. */
export interface StreamInvocationMessage {
  type: typeof MessageType.StreamInvocation;
  invocationId: string;
  target: string;
  arguments: unknown[];
  streamIds?: string[];
  headers?: MessageHeaders;
}

/** Stop the stream started by `invocationId`. */
export interface CancelInvocationMessage {
  type: typeof MessageType.CancelInvocation;
  invocationId: string;
  headers?: MessageHeaders;
}

/** Keep-alive. */
export interface PingMessage {
  type: typeof MessageType.Ping;
}

/** The end of the connection, optionally with an error and a reconnect hint. */
export interface CloseMessage {
  type: typeof MessageType.Close;
  error?: string;
  allowReconnect?: boolean;
}

/** Stateful reconnect: everything up to `sequenceId` was received. */
export interface AckMessage {
  type: typeof MessageType.Ack;
  sequenceId: number;
}

/** Stateful reconnect: the next trackable message has this id. */
export interface SequenceMessage {
  type: typeof MessageType.Sequence;
  sequenceId: number;
}

/** Any hub message. */
export type HubMessage =
  | InvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | StreamInvocationMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;

/** Messages that stateful reconnect numbers and replays (types 1-5). */
export function isTrackable(message: HubMessage): boolean {
  return message.type <= MessageType.CancelInvocation;
}

/**
 * A peer sent something the protocol does not allow. Decoders throw only
 * this, so the connection can answer with a clear Close and nothing else
 * leaks out.
 */
export class ProtocolError extends Error {
  /** Builds a protocol error with a message in sentence case. */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/**
 * A record past the decoder's size limit: a class of its own so the
 * connection can close with "message-too-large" without reading the text.
 */
export class MessageTooLargeError extends ProtocolError {
  /** The error for a decoder limited to `maxBytes`. */
  constructor(maxBytes: number) {
    super(`Message exceeds the maximum size of ${maxBytes} bytes`);
  }
}
