/**
 * `grouppresence(group, { connections, users })` to a group's members when
 * its presence changed, at most once a second per group: changes within a
 * second are folded into the latest. Each process sends to its own members
 * only (every process hears every change), so a member gets one update per
 * change window however many processes run.
 *
 * @module
 */

import type { Clients, GroupPresence, Presence } from "../hub/mod.ts";

/**
 * Starts the feed; returns a function that stops it. Pending updates are
 * one per changed group (bounded by the groups that exist), sent and
 * cleared every `intervalMs`.
 */
export function startGroupPresenceFeed(
  presence: Presence,
  localClients: Clients,
  intervalMs = 1_000,
): () => void {
  const pending = new Map<string, GroupPresence>();
  const unsubscribe = presence.onAnyChange((group, value) => {
    pending.set(group, value);
  });
  const timer = setInterval(() => {
    for (const [group, value] of pending) {
      localClients.group(group).send("grouppresence", group, value);
    }
    pending.clear();
  }, intervalMs);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
