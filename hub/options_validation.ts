/**
 * Checks resolved hub options once, at construction, so a typo in a
 * deployment's configuration fails the start with a message naming the
 * option, instead of a hub that never times anyone out (`NaN` ms) or
 * refuses everyone (a negative cap).
 *
 * @module
 */

import type { ResolvedHubOptions } from "./options.ts";

const TRANSPORTS = new Set(["WebSockets", "ServerSentEvents", "LongPolling"]);

/**
 * Throws a `RangeError` or `TypeError` naming the first bad option: every
 * number must be finite and not negative (whole for counts and byte
 * sizes), every flag a boolean, transports known, protocols non-empty,
 * and no negotiate minimum above the maximum.
 */
export function validateHubOptions(options: ResolvedHubOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === "number") checkNumber(name, value);
  }
  for (const name of ["statefulReconnect", "detailedErrors"] as const) {
    if (typeof options[name] !== "boolean") {
      throw new TypeError(`Option ${name} must be true or false`);
    }
  }
  if (options.transports.length === 0) {
    throw new RangeError("Option transports must name at least one");
  }
  for (const t of options.transports) {
    if (!TRANSPORTS.has(t)) {
      throw new RangeError(`Option transports has an unknown transport '${t}'`);
    }
  }
  if (options.protocols.length === 0) {
    throw new RangeError("Option protocols must name at least one");
  }
  if (options.minNegotiateVersion > options.negotiateVersion) {
    throw new RangeError(
      "Option minNegotiateVersion is above negotiateVersion: no client could connect",
    );
  }
  // 0 would mean "this node is leaving" in every report it sends.
  if (options.presenceTtlMs < 100) {
    throw new RangeError(
      `Option presenceTtlMs must be at least 100, got ${options.presenceTtlMs}`,
    );
  }
  // 0 would refuse every group change for a connection on another node.
  if (options.maxPendingGroupChanges < 1) {
    throw new RangeError(
      `Option maxPendingGroupChanges must be at least 1, got ${options.maxPendingGroupChanges}`,
    );
  }
  if (typeof options.rolesClaim !== "string" || options.rolesClaim === "") {
    throw new TypeError("Option rolesClaim must name a claim");
  }
}

function checkNumber(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Option ${name} must be a finite number of 0 or more, got ${value}`,
    );
  }
  // Milliseconds may be fractional; counts and sizes may not.
  if (!name.endsWith("Ms") && !Number.isInteger(value)) {
    throw new RangeError(`Option ${name} must be a whole number, got ${value}`);
  }
}
