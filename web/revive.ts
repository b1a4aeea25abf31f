/**
 * The browser half of island props: turns the tree made by `encode()`
 * (web/serialize.ts) back into values, signals revived as live signals.
 *
 * @module
 */

import { signal } from "@preact/signals";

type Tagged = { $t: string; v?: unknown };

/**
 * Revives an encoded tree.
 *
 * @example
 * ```ts
 * revive({ $t: "Set", v: [1, 2] }); // Set {1, 2}
 * ```
 */
export function revive(encoded: unknown): unknown {
  if (encoded === null || typeof encoded !== "object") return encoded;
  if (Array.isArray(encoded)) return encoded.map(revive);
  const object = encoded as Record<string, unknown>;
  if (typeof object.$t === "string") return reviveTagged(object as Tagged);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) out[key] = revive(value);
  return out;
}

function reviveTagged({ $t, v }: Tagged): unknown {
  switch ($t) {
    case "undefined":
      return undefined;
    case "number":
      return v === "-0" ? -0 : Number(v);
    case "bigint":
      return BigInt(v as string);
    case "Date":
      return new Date(v === null ? NaN : v as number);
    case "URL":
      return new URL(v as string);
    case "Uint8Array":
      return Uint8Array.from(atob(v as string), (c) => c.charCodeAt(0));
    case "Map":
      return new Map(
        (v as [unknown, unknown][]).map(([k, x]) => [revive(k), revive(x)]),
      );
    case "Set":
      return new Set((v as unknown[]).map(revive));
    case "Signal":
      return signal(revive(v));
    case "Object": {
      // Re-walk the inner object's fields without re-reading its own `$t`.
      const out: Record<string, unknown> = {};
      for (const [key, x] of Object.entries(v as object)) out[key] = revive(x);
      return out;
    }
    default:
      throw new TypeError(`Unknown island prop tag "${$t}"`);
  }
}
