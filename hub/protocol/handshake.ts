/**
 * The handshake: the client names its protocol and version in JSON ended
 * by 0x1E (even for MessagePack); the server answers `{}` or an error.
 * The answer must not have a `type` field or the client rejects it.
 *
 * @module
 */

import type { HubProtocol, Payload } from "./hub_protocol.ts";
import { ProtocolError } from "./messages.ts";
import { RECORD_SEPARATOR } from "./json.ts";

/** What the client asked for. */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/** A finished handshake and whatever followed it in the same frame. */
export interface HandshakeResult {
  readonly request: HandshakeRequest;
  /** Bytes or text after the 0x1E, to feed to the protocol's decoder. */
  readonly rest: Payload | null;
}

const RS_BYTE = 0x1e;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Accumulates frames until the handshake record is complete. */
export class HandshakeReader {
  #pending = "";
  readonly #max: number;

  /** Refuses a handshake longer than `maxSize` bytes. */
  constructor(maxSize: number) {
    this.#max = maxSize;
  }

  /** Returns the result once the record is whole, else `undefined`. */
  push(chunk: Payload): HandshakeResult | undefined {
    let text: string;
    let rest: Payload | null = null;
    if (typeof chunk === "string") {
      const end = chunk.indexOf(RECORD_SEPARATOR);
      text = end < 0 ? chunk : chunk.slice(0, end + 1);
      if (end >= 0 && end + 1 < chunk.length) rest = chunk.slice(end + 1);
    } else {
      const end = chunk.indexOf(RS_BYTE);
      text = decode(end < 0 ? chunk : chunk.subarray(0, end + 1));
      if (end >= 0 && end + 1 < chunk.length) rest = chunk.subarray(end + 1);
    }
    this.#pending += text;
    if (this.#pending.length > this.#max) {
      throw new ProtocolError("Handshake request is too large");
    }
    if (!this.#pending.endsWith(RECORD_SEPARATOR)) return undefined;
    return { request: parseHandshake(this.#pending.slice(0, -1)), rest };
  }
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtocolError("Handshake request is not valid UTF-8");
  }
}

function parseHandshake(record: string): HandshakeRequest {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw new ProtocolError("Handshake request is not valid JSON");
  }
  const fields = value as Record<string, unknown> | null;
  if (typeof fields !== "object" || fields === null) {
    throw new ProtocolError("Handshake request must be an object");
  }
  if (typeof fields.protocol !== "string") {
    throw new ProtocolError("Handshake request is missing 'protocol'");
  }
  if (typeof fields.version !== "number") {
    throw new ProtocolError("Handshake request is missing 'version'");
  }
  return { protocol: fields.protocol, version: fields.version };
}

/**
 * Picks the protocol for a request, or says why not, in ASP.NET's words.
 */
export function selectProtocol(
  request: HandshakeRequest,
  protocols: readonly HubProtocol[],
): HubProtocol | string {
  const protocol = protocols.find((p) => p.name === request.protocol);
  if (!protocol) return `The protocol '${request.protocol}' is not supported.`;
  if (request.version < 1 || request.version > protocol.version) {
    return `The server does not support version ${request.version} of the '${request.protocol}' protocol.`;
  }
  return protocol;
}

/** `{}` + 0x1E: the success answer. */
export const HANDSHAKE_OK = "{}" + RECORD_SEPARATOR;

/** The error answer; the server closes the connection after it. */
export function handshakeError(error: string): string {
  return JSON.stringify({ error }) + RECORD_SEPARATOR;
}
