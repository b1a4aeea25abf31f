/**
 * Collects what the tab receives from groups (`broadcasttogroup`) and from
 * other connections (`broadcasttoclient`), newest first, bounded.
 *
 * @module
 */

import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { chartConnection } from "./chart_connection.ts";
import type { Message } from "./MessageList.tsx";

/** Messages kept; older ones are dropped. */
export const MAX_MESSAGES = 50;

/** Subscribes to both events on the shared connection. */
export function useHubMessages(hubPath: string): Signal<readonly Message[]> {
  const received = useSignal<readonly Message[]>([]);
  useEffect(() => {
    const hub = chartConnection(hubPath);
    const add = (kind: Message["kind"]) => (value: unknown) => {
      const message = { kind, text: String(value), at: new Date() };
      received.value = [message, ...received.value].slice(0, MAX_MESSAGES);
    };
    const onGroup = add("group");
    const onDirect = add("direct");
    const offGroup = hub.on("broadcasttogroup", onGroup);
    const offDirect = hub.on("broadcasttoclient", onDirect);
    return () => {
      offGroup();
      offDirect();
    };
  }, [hubPath]);
  return received;
}
