/**
 * The seam between the hub and a wire format (JSON, MessagePack).
 *
 * A protocol is pure: no Deno APIs, no I/O. A decoder is stateful because one
 * record may be split across frames; an encoder is stateless so a broadcast
 * can be encoded once and the bytes shared by every recipient.
 *
 * @module
 */

import type { HubMessage } from "./messages.ts";

/** How a protocol's frames travel: text frames or binary frames. */
export type TransferFormat = "Text" | "Binary";

/** An encoded message or frame, ready for a transport. */
export type Payload = string | Uint8Array;

/** Splits incoming frames into messages, buffering partial records. */
export interface MessageDecoder {
  /**
   * Decodes every whole message in `chunk` (plus what was buffered before).
   * Throws only `ProtocolError`, including when a record would exceed the
   * size limit the decoder was made with.
   */
  push(chunk: Payload): HubMessage[];
  /** Bytes (or UTF-16 units for text) held for an unfinished record. */
  readonly buffered: number;
}

/** A hub protocol as named in the handshake (`"json"`, `"messagepack"`). */
export interface HubProtocol {
  /** The name the client sends in its handshake. */
  readonly name: string;
  /** The highest protocol version the server accepts (2 = stateful reconnect). */
  readonly version: number;
  /** Text protocols may use every transport; binary ones not SSE. */
  readonly transferFormat: TransferFormat;
  /** A decoder that refuses records larger than `maxMessageSize` bytes. */
  createDecoder(maxMessageSize: number): MessageDecoder;
  /** Encodes one message with its framing (0x1E or VarInt length). */
  encode(message: HubMessage): Payload;
}

/** The byte length of a payload as it goes on the wire. */
export function payloadSize(payload: Payload): number {
  // Text is counted as UTF-16 units: exact for ASCII JSON and never more
  // than 3x off otherwise, which is enough for a queue bound.
  return typeof payload === "string" ? payload.length : payload.byteLength;
}

/**
 * Joins several payloads of one protocol into one frame. The SignalR
 * framing allows several whole messages per frame, so a connection flushes
 * its queue with one send instead of one per message.
 */
export function joinPayloads(parts: Payload[]): Payload {
  if (parts.length === 1) return parts[0];
  if (typeof parts[0] === "string") return (parts as string[]).join("");
  let size = 0;
  for (const part of parts) size += (part as Uint8Array).byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part as Uint8Array, offset);
    offset += (part as Uint8Array).byteLength;
  }
  return out;
}
