/**
 * Checks a decoded value against the shape of its message type, so the
 * hub only ever sees well-formed messages. Shared by JSON and MessagePack.
 *
 * @module
 */

import { type HubMessage, MessageType, ProtocolError } from "./messages.ts";

type Fields = Record<string, unknown>;

function fail(what: string): never {
  throw new ProtocolError(what);
}

function optionalString(fields: Fields, key: string, type: number): void {
  const v = fields[key];
  if (v !== undefined && v !== null && typeof v !== "string") {
    fail(`Message type ${type} has a non-string '${key}'`);
  }
}

function requireString(fields: Fields, key: string, type: number): void {
  if (typeof fields[key] !== "string") {
    fail(`Message type ${type} is missing the string '${key}'`);
  }
}

function checkHeaders(fields: Fields): void {
  const h = fields.headers;
  if (h === undefined || h === null) return;
  if (typeof h !== "object" || Array.isArray(h)) fail("Headers must be a map");
  for (const v of Object.values(h as Fields)) {
    if (typeof v !== "string") fail("Header values must be strings");
  }
}

function checkCall(fields: Fields, type: number): void {
  requireString(fields, "target", type);
  if (!Array.isArray(fields.arguments)) {
    fail(`Message type ${type} is missing the 'arguments' array`);
  }
  const ids = fields.streamIds;
  if (ids !== undefined && ids !== null) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
      fail("'streamIds' must be an array of strings");
    }
  }
}

function checkSequence(fields: Fields, type: number): void {
  const id = fields.sequenceId;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
    fail(`Message type ${type} needs a whole 'sequenceId'`);
  }
}

/**
 * Returns `value` typed as a hub message, `undefined` for an unknown type
 * (ignored, as ASP.NET does, so newer clients keep working), or throws a
 * `ProtocolError` naming what is wrong.
 */
export function validateMessage(value: unknown): HubMessage | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("Message must be an object");
  }
  const fields = value as Fields;
  const type = fields.type;
  if (typeof type !== "number") fail("Message is missing its 'type'");
  checkHeaders(fields);
  switch (type) {
    case MessageType.Invocation:
      optionalString(fields, "invocationId", type);
      checkCall(fields, type);
      break;
    case MessageType.StreamInvocation:
      requireString(fields, "invocationId", type);
      checkCall(fields, type);
      break;
    case MessageType.StreamItem:
    case MessageType.CancelInvocation:
      requireString(fields, "invocationId", type);
      break;
    case MessageType.Completion:
      requireString(fields, "invocationId", type);
      optionalString(fields, "error", type);
      if ("result" in fields && fields.error != null) {
        fail("A completion may have 'result' or 'error', not both");
      }
      break;
    case MessageType.Ping:
      break;
    case MessageType.Close:
      optionalString(fields, "error", type);
      if (
        fields.allowReconnect !== undefined &&
        typeof fields.allowReconnect !== "boolean"
      ) fail("'allowReconnect' must be a boolean");
      break;
    case MessageType.Ack:
    case MessageType.Sequence:
      checkSequence(fields, type);
      break;
    default:
      return undefined;
  }
  return fields as unknown as HubMessage;
}
