/**
 * The JSON hub protocol: one JSON object per message, each ended by the
 * record separator 0x1E. Several records may share a frame and one record
 * may span frames, so the decoder buffers.
 *
 * @module
 */

import type { HubProtocol, MessageDecoder, Payload } from "./hub_protocol.ts";
import {
  type HubMessage,
  MessageTooLargeError,
  ProtocolError,
} from "./messages.ts";
import { validateMessage } from "./message_validation.ts";
import { stringifyJson } from "./json_values.ts";

/** The record separator that ends every JSON message and the handshake. */
export const RECORD_SEPARATOR = "\x1e";

const utf8 = new TextEncoder();
const NON_ASCII = /[^\u0020-\u007e\t\n\r]/;

/** Exact UTF-8 size, computed only when the cheap bound is not enough. */
export function utf8Size(text: string): number {
  // Printable ASCII is one byte per unit; anything else is measured.
  if (!NON_ASCII.test(text)) return text.length;
  return utf8.encode(text).byteLength;
}

class JsonDecoder implements MessageDecoder {
  #pending = "";
  readonly #max: number;
  // Made on first binary frame: text frames (the common case) never need it.
  #decoder: TextDecoder | null = null;

  constructor(maxMessageSize: number) {
    this.#max = maxMessageSize;
  }

  get buffered(): number {
    return this.#pending.length;
  }

  push(chunk: Payload): HubMessage[] {
    const text = typeof chunk === "string" ? chunk : this.#decodeBytes(chunk);
    const data = this.#pending ? this.#pending + text : text;
    const out: HubMessage[] = [];
    let start = 0;
    for (;;) {
      const end = data.indexOf(RECORD_SEPARATOR, start);
      if (end < 0) break;
      const record = data.slice(start, end);
      start = end + 1;
      this.#checkSize(record.length, record);
      const message = parseRecord(record);
      if (message) out.push(message);
    }
    this.#pending = start === 0 ? data : data.slice(start);
    this.#checkSize(this.#pending.length, this.#pending);
    return out;
  }

  #decodeBytes(chunk: Uint8Array): string {
    try {
      this.#decoder ??= new TextDecoder("utf-8", { fatal: true });
      return this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw new ProtocolError("Message is not valid UTF-8");
    }
  }

  #checkSize(length: number, text: string): void {
    if (length <= this.#max / 3) return;
    if (length > this.#max || utf8Size(text) > this.#max) {
      throw new MessageTooLargeError(this.#max);
    }
  }
}

/** Parses one record; `undefined` for message types this server ignores. */
function parseRecord(record: string): HubMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw new ProtocolError("Message is not valid JSON");
  }
  return validateMessage(value);
}

function encodeJson(message: HubMessage): string {
  if (message.type === 3) {
    // Built by hand: completions are the hot path of request/response, and
    // `hasResult` (an in-memory hint) must not reach the wire.
    let text = '{"type":3,"invocationId":' +
      JSON.stringify(message.invocationId);
    if (message.error !== undefined) {
      text += ',"error":' + JSON.stringify(message.error);
    } else if (message.hasResult || message.result !== undefined) {
      text += ',"result":' + (stringifyJson(message.result) ?? "null");
    }
    return text + "}" + RECORD_SEPARATOR;
  }
  // Bytes and dates as ASP.NET writes them (see json_values.ts).
  return stringifyJson(message) + RECORD_SEPARATOR;
}

/** The JSON protocol, version 2 (version 2 adds stateful reconnect). */
export const jsonProtocol: HubProtocol = {
  name: "json",
  version: 2,
  transferFormat: "Text",
  createDecoder: (maxMessageSize) => new JsonDecoder(maxMessageSize),
  encode: encodeJson,
};
