/**
 * A test cluster's nodes as `CLUSTER NODES` lists them, and slot
 * arithmetic on them: who owns a slot, a name landing on each shard.
 *
 * @module
 */

import { keySlot } from "../../hub/backplane/redis_slot.ts";

/** One node's place in the cluster, from `CLUSTER NODES`. */
export interface NodeRole {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  /** Slot ranges a master owns, inclusive. */
  readonly slots: readonly [number, number][];
}

/** `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slots…>` */
export function parseNodeLine(line: string): NodeRole {
  const fields = line.split(" ");
  const port = Number(fields[1].split("@")[0].split(":").pop());
  const flags = fields[2].split(",");
  const slots = fields.slice(8).filter((f) => !f.startsWith("[")).map((f) => {
    const [from, to] = f.split("-").map(Number);
    return [from, to ?? from] as [number, number];
  });
  return {
    id: fields[0],
    port,
    master: flags.includes("master") && !flags.includes("fail"),
    slots,
  };
}

/** True when `role` lists `slot` in its ranges. */
export function ownsSlot(role: NodeRole, slot: number): boolean {
  return role.slots.some(([from, to]) => slot >= from && slot <= to);
}

/**
 * One name per slot range such that `channelOf(name)` lands in that range:
 * names of scopes that reach every shard, for a fence that proves "nothing
 * more is coming" on each (order holds per sender per shard).
 */
export function namesPerShard(
  ranges: readonly (readonly [number, number])[],
  channelOf: (name: string) => string,
): string[] {
  return ranges.map(([from, to]) => {
    for (let n = 0; n < 100_000; n++) {
      const name = `fence-${n}`;
      const slot = keySlot(channelOf(name));
      if (slot >= from && slot <= to) return name;
    }
    throw new Error(`No fence name lands in slots ${from}-${to}`);
  });
}
