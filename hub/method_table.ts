/**
 * A hub's methods by name: exact case first (most clients spell methods
 * as declared), then case-insensitive as ASP.NET matches them, and the
 * argument-count check with ASP.NET's text.
 *
 * @module
 */

import type { HubDefinition } from "./hub_definition.ts";
import { type Authorize, ruleOf } from "./authorization.ts";
import type { CallMessage } from "./pending_invocations.ts";

/** A hub method as the dispatcher holds it. */
export interface MethodEntry {
  readonly name: string;
  // deno-lint-ignore no-explicit-any
  readonly fn: (...args: any[]) => unknown;
  readonly argCount: number;
  /** Set by `authorized(rule, fn)`: checked before every call. */
  readonly rule: Authorize | undefined;
}

/** The method table of one hub. */
export class MethodTable {
  readonly #methods = new Map<string, MethodEntry>();
  readonly #exact = new Map<string, MethodEntry>();

  /** Indexes `hub`'s methods; names that differ only by case are refused. */
  constructor(hub: HubDefinition) {
    for (const [name, fn] of Object.entries(hub.methods)) {
      const key = name.toLowerCase();
      if (this.#methods.has(key)) {
        throw new TypeError(`Hub methods differ only by case: '${name}'`);
      }
      // A method that does not even declare the context takes no arguments.
      const argCount = Math.max(0, fn.length - 1);
      const entry = { name, fn, argCount, rule: ruleOf(fn) };
      this.#methods.set(key, entry);
      this.#exact.set(name, entry);
    }
  }

  /** The method a call names, or undefined. */
  lookup(target: string): MethodEntry | undefined {
    return this.#exact.get(target) ?? this.#methods.get(target.toLowerCase());
  }

  /** ASP.NET's refusal when the argument count is wrong, or null. */
  checkArguments(
    entry: MethodEntry,
    message: CallMessage,
    uploads: number,
  ): string | null {
    const given = message.arguments.length + uploads;
    if (given === entry.argCount) return null;
    return `Failed to invoke '${message.target}' due to an error on the ` +
      `server. InvalidDataException: Invocation provides ${given} ` +
      `argument(s) but target expects ${entry.argCount}.`;
  }
}
