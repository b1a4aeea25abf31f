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
  MessageType,
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

/**
 * Parts of a partial record held before they are joined into one string.
 * A speed heuristic, not a limit: the bytes held are bounded by
 * `maxMessageSize`.
 */
const MAX_HELD_PARTS = 1024;

/**
 * Buffers and splits JSON records in time linear in the bytes received,
 * however the records are cut into frames: each frame is searched for the
 * separator once, its size is added to a running count, and a record's
 * parts are joined once, when it completes. Re-scanning or re-joining the
 * whole buffer per frame would make a record sent one byte per frame cost
 * quadratic time.
 */
class JsonDecoder implements MessageDecoder {
  readonly #max: number;
  // The partial record: small parts as they came, and runs of them joined
  // once there are MAX_HELD_PARTS, so a 1-byte-per-frame record holds few
  // strings and each byte is copied at most twice before the final join.
  // Both made on first use: most records arrive whole.
  #parts: string[] | null = null;
  #runs: string[] | null = null;
  #units = 0;
  #bytes = 0;
  // Made on first binary frame: text frames (the common case) never need it.
  #decoder: TextDecoder | null = null;

  constructor(maxMessageSize: number) {
    this.#max = maxMessageSize;
  }

  get buffered(): number {
    return this.#units;
  }

  push(chunk: Payload): HubMessage[] {
    const text = typeof chunk === "string" ? chunk : this.#decodeBytes(chunk);
    const out: HubMessage[] = [];
    let start = 0;
    let end = text.indexOf(RECORD_SEPARATOR);
    while (end >= 0) {
      const message = parseRecord(this.#complete(text.slice(start, end)));
      if (message) out.push(message);
      start = end + 1;
      end = text.indexOf(RECORD_SEPARATOR, start);
    }
    if (start < text.length) this.#hold(start === 0 ? text : text.slice(start));
    return out;
  }

  /** Adds the start of a record; refuses it once it passes the limit. */
  #hold(part: string): void {
    this.#bytes = this.#counted(part);
    this.#units += part.length;
    const parts = this.#parts ??= [];
    parts.push(part);
    if (parts.length === MAX_HELD_PARTS) {
      (this.#runs ??= []).push(parts.join(""));
      this.#parts = null;
    }
  }

  /** The whole record ending with `last`; the buffer is empty afterwards. */
  #complete(last: string): string {
    this.#counted(last);
    if (this.#units === 0) return last;
    const record = (this.#runs?.join("") ?? "") +
      (this.#parts?.join("") ?? "") + last;
    this.#runs = this.#parts = null;
    this.#units = this.#bytes = 0;
    return record;
  }

  /** The record's UTF-8 size with `part` added, or the too-large error. */
  #counted(part: string): number {
    const bytes = this.#bytes + utf8Size(part);
    if (bytes > this.#max) throw new MessageTooLargeError(this.#max);
    return bytes;
  }

  #decodeBytes(chunk: Uint8Array): string {
    try {
      this.#decoder ??= new TextDecoder("utf-8", { fatal: true });
      return this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw new ProtocolError("Message is not valid UTF-8");
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
  if (message.type === MessageType.Completion) {
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
