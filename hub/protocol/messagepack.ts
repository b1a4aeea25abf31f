/**
 * The MessagePack hub protocol: each message is a msgpack array behind a
 * VarInt length (docs/protocol.md, Framing). Binary frames only, so it
 * never runs over Server-Sent Events; the handshake stays JSON text.
 *
 * Arrays map to the same message shapes as JSON, and the shared validator
 * checks them, so the hub cannot tell the protocols apart.
 *
 * @module
 */

import { Decoder, Encoder } from "@msgpack/msgpack";
import type { HubProtocol, MessageDecoder, Payload } from "./hub_protocol.ts";
import {
  type HubMessage,
  MessageTooLargeError,
  MessageType,
  ProtocolError,
} from "./messages.ts";
import { validateMessage } from "./message_validation.ts";
import { encodeVarInt, MAX_VARINT_BYTES, readVarInt } from "./varint.ts";
import { checkMessagePackBounds } from "./messagepack_bounds.ts";

/** Completion result kinds as the MessagePack protocol numbers them. */
export const ResultKind = { Error: 1, Void: 2, NonVoid: 3 } as const;

const utf8 = new TextEncoder();
// One encoder for every message: it clones itself if ever re-entered.
const encoder = new Encoder();

type Fields = Record<string, unknown>;

function fail(what: string): never {
  throw new ProtocolError(what);
}

/** The msgpack array of a message, in the element order ASP.NET writes. */
function toArray(message: HubMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return [
        message.type,
        message.headers ?? {},
        message.invocationId ?? null,
        message.target,
        message.arguments,
        message.streamIds ?? [],
      ];
    case MessageType.StreamItem:
      return [2, message.headers ?? {}, message.invocationId, message.item];
    case MessageType.Completion: {
      const head = [3, message.headers ?? {}, message.invocationId];
      if (message.error !== undefined && message.error !== null) {
        return [...head, ResultKind.Error, message.error];
      }
      if (message.hasResult || message.result !== undefined) {
        return [...head, ResultKind.NonVoid, message.result ?? null];
      }
      return [...head, ResultKind.Void];
    }
    case MessageType.CancelInvocation:
      return [5, message.headers ?? {}, message.invocationId];
    case MessageType.Ping:
      return [6];
    case MessageType.Close:
      return [7, message.error ?? null, message.allowReconnect ?? false];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [message.type, message.sequenceId];
  }
}

function encodeMessagePack(message: HubMessage): Uint8Array {
  // A view of the encoder's own buffer, valid until its next encode: the
  // bytes are copied once, straight into the framed result.
  const body = encoder.encodeSharedRef(toArray(message));
  const prefix = encodeVarInt(body.byteLength);
  const out = new Uint8Array(prefix.byteLength + body.byteLength);
  out.set(prefix, 0);
  out.set(body, prefix.byteLength);
  return out;
}

function needs(array: unknown[], length: number, type: number): void {
  if (array.length < length) {
    fail(`Message type ${type} needs at least ${length} elements`);
  }
}

/** Headers as the shared validator expects; an empty map is left out. */
function headersOf(value: unknown): Fields {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    fail("Headers must be a map");
  }
  return Object.keys(value).length === 0 ? {} : { headers: value };
}

/** Drops nil so optional fields read as absent, as in JSON. */
function present(key: string, value: unknown): Fields {
  return value === null || value === undefined ? {} : { [key]: value };
}

function callFields(array: unknown[], type: number): Fields {
  needs(array, 5, type);
  // The JS client writes 5 elements without stream ids; ASP.NET writes 6.
  const ids = array[5];
  return {
    type,
    ...headersOf(array[1]),
    ...present("invocationId", array[2]),
    target: array[3],
    arguments: array[4],
    ...(Array.isArray(ids) && ids.length === 0
      ? {}
      : present("streamIds", ids)),
  };
}

function completionFields(array: unknown[]): Fields {
  needs(array, 4, 3);
  const base = {
    type: MessageType.Completion,
    ...headersOf(array[1]),
    invocationId: array[2],
  };
  switch (array[3]) {
    case ResultKind.Error:
      needs(array, 5, 3);
      if (typeof array[4] !== "string") fail("A completion error must be text");
      return { ...base, error: array[4] };
    case ResultKind.Void:
      return base;
    case ResultKind.NonVoid:
      needs(array, 5, 3);
      return { ...base, result: array[4], hasResult: true };
    default:
      return fail(`Unknown completion result kind '${String(array[3])}'`);
  }
}

/** Maps one decoded array to message fields; undefined for unknown types. */
function fieldsOf(array: unknown[]): Fields | undefined {
  const type = array[0];
  if (typeof type !== "number") fail("Message is missing its 'type'");
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return callFields(array, type);
    case MessageType.StreamItem:
      needs(array, 4, type);
      return {
        type,
        ...headersOf(array[1]),
        invocationId: array[2],
        item: array[3],
      };
    case MessageType.Completion:
      return completionFields(array);
    case MessageType.CancelInvocation:
      needs(array, 3, type);
      return { type, ...headersOf(array[1]), invocationId: array[2] };
    case MessageType.Ping:
      return { type };
    case MessageType.Close:
      needs(array, 2, type);
      return {
        type,
        ...present("error", array[1]),
        ...present("allowReconnect", array[2]),
      };
    case MessageType.Ack:
    case MessageType.Sequence:
      needs(array, 2, type);
      return { type, sequenceId: array[1] };
    default:
      return undefined;
  }
}

class MessagePackDecoder implements MessageDecoder {
  readonly #max: number;
  readonly #decoder: Decoder;
  // Leftover bytes of an unfinished record; grows by doubling, so a record
  // arriving one byte per frame still costs linear time.
  #buf = new Uint8Array(0);
  #len = 0;
  // Bytes the buffered record needs in all, once its prefix is read: until
  // then a frame is only appended, so tiny frames cost no more than a copy.
  #awaiting = 0;

  constructor(maxMessageSize: number) {
    this.#max = maxMessageSize;
    // No declared length may exceed the record itself, so garbage cannot
    // make the decoder allocate more than the record's size.
    this.#decoder = new Decoder({
      maxStrLength: maxMessageSize,
      maxBinLength: maxMessageSize,
      maxArrayLength: maxMessageSize,
      maxMapLength: maxMessageSize,
      maxExtLength: maxMessageSize,
    });
  }

  get buffered(): number {
    return this.#len;
  }

  push(chunk: Payload): HubMessage[] {
    const bytes = typeof chunk === "string" ? utf8.encode(chunk) : chunk;
    if (this.#len > 0) {
      this.#append(bytes);
      if (this.#len < this.#awaiting) return [];
    }
    const data = this.#len > 0 ? this.#buf.subarray(0, this.#len) : bytes;
    const out: HubMessage[] = [];
    let offset = 0;
    this.#awaiting = 0;
    while (offset < data.length) {
      const prefix = readVarInt(data, offset);
      if (prefix === null) break;
      if (prefix.value > this.#max) {
        throw new MessageTooLargeError(this.#max);
      }
      const start = offset + prefix.size;
      if (start + prefix.value > data.length) {
        this.#awaiting = start + prefix.value - offset;
        break;
      }
      const message = this.#record(data.subarray(start, start + prefix.value));
      if (message) out.push(message);
      offset = start + prefix.value;
    }
    this.#keep(data, offset);
    return out;
  }

  #record(bytes: Uint8Array): HubMessage | undefined {
    // Before decoding: the library allocates declared lengths up front.
    checkMessagePackBounds(bytes);
    let value: unknown;
    try {
      value = this.#decoder.decode(bytes);
    } catch (error) {
      fail(`Message is not valid MessagePack: ${(error as Error).message}`);
    }
    if (!Array.isArray(value) || value.length === 0) {
      fail("Message must be a non-empty array");
    }
    const fields = fieldsOf(value);
    return fields === undefined ? undefined : validateMessage(fields);
  }

  /** Keeps `data[offset..]` for the next push (a copy: frames are reused). */
  #keep(data: Uint8Array, offset: number): void {
    const rest = data.length - offset;
    if (data.buffer === this.#buf.buffer && this.#len > 0) {
      // Nothing consumed (a record still arriving) means no copy, or a
      // record sent one byte per frame would be moved once per byte.
      if (offset > 0) this.#buf.copyWithin(0, offset, this.#len);
      this.#len = rest;
    } else {
      this.#len = 0;
      if (rest > 0) this.#append(data.subarray(offset));
    }
    if (this.#len > this.#max + MAX_VARINT_BYTES) {
      throw new MessageTooLargeError(this.#max);
    }
  }

  #append(bytes: Uint8Array): void {
    const needed = this.#len + bytes.length;
    if (needed > this.#buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buf.length * 2, 64));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = needed;
  }
}

/**
 * The MessagePack protocol, version 2 (version 2 adds stateful reconnect).
 * Offer it with `protocols: [jsonProtocol, messagePackProtocol]`.
 */
export const messagePackProtocol: HubProtocol = {
  name: "messagepack",
  version: 2,
  transferFormat: "Binary",
  createDecoder: (maxMessageSize) => new MessagePackDecoder(maxMessageSize),
  encode: encodeMessagePack,
};
