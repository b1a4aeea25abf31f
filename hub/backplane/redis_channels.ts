/**
 * Names and wire format of the Redis backplane: one channel per scope, one
 * JSON envelope per message. Pure (no I/O), so it is tested on its own.
 *
 * @module
 */

import type { BackplaneMessage, Scope } from "./backplane.ts";
import { parseTagged, stringifyTagged } from "./envelope_values.ts";

/** What travels on a channel: the sender, so it can skip its own echo. */
export interface Envelope {
  /** Node id of the publisher. */
  readonly from: string;
  /** The message itself. */
  readonly message: BackplaneMessage;
}

/**
 * The channel of `scope` under `prefix`, e.g. `switchboard:chart:group:g`.
 * Scope kinds never share a leading word, so any text after it (a group
 * name with colons) cannot collide with another kind's channel.
 */
export function channelOf(prefix: string, scope: Scope): string {
  return `${prefix}:${scope}`;
}

/**
 * Encodes once per publish; the same string goes to Redis for every peer.
 * Bytes and dates in arguments and results keep their types (see
 * envelope_values.ts).
 */
export function encodeEnvelope(
  from: string,
  message: BackplaneMessage,
): string {
  return stringifyTagged({ from, message });
}

/**
 * Decodes what a peer published, or `undefined` for anything malformed: a
 * foreign publisher on our channel must not crash the node.
 */
export function decodeEnvelope(text: string): Envelope | undefined {
  let value: unknown;
  try {
    value = parseTagged(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.from !== "string") return undefined;
  return isMessage(value.message)
    ? { from: value.from, message: value.message }
    : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is BackplaneMessage {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case "invoke":
      return typeof value.method === "string" && Array.isArray(value.args) &&
        isRecord(value.target) && typeof value.target.kind === "string";
    case "group":
      return (value.op === "add" || value.op === "remove") &&
        typeof value.connectionId === "string" &&
        typeof value.group === "string" && typeof value.requestId === "string";
    case "ack":
      return typeof value.requestId === "string" &&
        typeof value.to === "string";
    case "presence":
      return isPresence(value);
    case "result-request":
      return typeof value.requestId === "string" &&
        typeof value.connectionId === "string" &&
        typeof value.method === "string" && Array.isArray(value.args) &&
        typeof value.timeoutMs === "number";
    case "result-answer":
      return typeof value.requestId === "string" &&
        typeof value.to === "string" &&
        (value.error === undefined || typeof value.error === "string") &&
        (value.failure === undefined || isRecord(value.failure));
    default:
      return false;
  }
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPresence(value: Record<string, unknown>): boolean {
  const node = value.node;
  return isCount(value.ttlMs) && isRecord(node) &&
    isCount(node.connections) && isCount(node.users) &&
    Array.isArray(value.groups) &&
    value.groups.every((entry) =>
      isRecord(entry) && typeof entry.group === "string" &&
      isCount(entry.connections) && Array.isArray(entry.users) &&
      entry.users.every((user) => typeof user === "string")
    );
}

/**
 * A Redis URL fit for logs and `/healthz`: the password (and a user name,
 * which on hosted Redis can identify the tenant) replaced by `***`.
 */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "[unparseable REDIS_URL]";
  }
  if (parsed.password) parsed.password = "***";
  if (parsed.username) parsed.username = "***";
  return parsed.toString();
}

/** Scrubs any `user:password@` that a client error message may echo. */
export function redactUrlsInText(text: string): string {
  return text.replace(/(rediss?:\/\/)[^@\s/]*@/g, "$1***@");
}
