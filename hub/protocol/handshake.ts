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

/**
 * Accumulates frames until the handshake record is complete. Only each new
 * frame is searched for the separator and the parts are joined once, so a
 * handshake sent one byte per frame costs linear time.
 */
export class HandshakeReader {
  #parts: string[] = [];
  #length = 0;
  readonly #max: number;
  // Streaming, so a character split across binary frames still decodes.
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });

  /** Refuses a handshake longer than `maxSize` bytes. */
  constructor(maxSize: number) {
    this.#max = maxSize;
  }

  /** Returns the result once the record is whole, else `undefined`. */
  push(chunk: Payload): HandshakeResult | undefined {
    const end = typeof chunk === "string"
      ? chunk.indexOf(RECORD_SEPARATOR)
      : chunk.indexOf(RS_BYTE);
    const head = end < 0 ? chunk : chunk.slice(0, end);
    const text = typeof head === "string" ? head : this.#decode(head, end < 0);
    this.#length += text.length;
    if (this.#length > this.#max) {
      throw new ProtocolError("Handshake request is too large");
    }
    this.#parts.push(text);
    if (end < 0) return undefined;
    const rest = end + 1 < chunk.length ? chunk.slice(end + 1) : null;
    return { request: parseHandshake(this.#parts.join("")), rest };
  }

  #decode(bytes: Uint8Array, more: boolean): string {
    try {
      return this.#utf8.decode(bytes, { stream: more });
    } catch {
      throw new ProtocolError("Handshake request is not valid UTF-8");
    }
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
  // ASP.NET reads it as an Int32; 1.5 is not a version.
  if (!Number.isInteger(fields.version)) {
    throw new ProtocolError("Handshake request 'version' must be an integer");
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
