/**
 * How many connections are in each group the tab joined ("N watching"),
 * across every server process: seeded by `GetGroupMembers` after a join
 * and kept live by the hub's `grouppresence` pushes (at most one a second
 * per group).
 *
 * @module
 */

import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { chartConnection, invoke } from "./chart_connection.ts";
import type { GroupMembers } from "../../chart/chart_contract.ts";

/** Watcher counts by group, and how to seed or forget one. */
export interface GroupPresenceState {
  readonly watching: Signal<Readonly<Record<string, number>>>;
  /** Asks the hub for `group`'s count now (after joining it). */
  refresh(group: string): Promise<void>;
  /** Stops showing `group` (after leaving it). */
  forget(group: string): void;
}

function isMembers(value: unknown): value is GroupMembers {
  return typeof value === "object" && value !== null &&
    typeof (value as GroupMembers).connections === "number";
}

/** Listens to `grouppresence` on the shared connection. */
export function useGroupPresence(
  hubPath: string,
  isJoined: (group: string) => boolean,
): GroupPresenceState {
  const watching = useSignal<Readonly<Record<string, number>>>({});
  const set = (group: string, members: unknown) => {
    // Only groups still joined: a push in flight after a leave is dropped,
    // so the map never holds more than the tab's groups.
    if (!isMembers(members) || !isJoined(group)) return;
    watching.value = { ...watching.value, [group]: members.connections };
  };
  useEffect(() => {
    const hub = chartConnection(hubPath);
    return hub.on("grouppresence", set);
  }, [hubPath]);
  return {
    watching,
    async refresh(group) {
      set(group, await invoke("GetGroupMembers", group));
    },
    forget(group) {
      const { [group]: _gone, ...rest } = watching.value;
      watching.value = rest;
    },
  };
}
