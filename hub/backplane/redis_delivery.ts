/**
 * What both Redis backplanes do with a message that arrives on a channel:
 * decode, skip the process's own echo, hand it to the node.
 *
 * @module
 */

import type { BackplaneNode } from "./backplane.ts";
import { decodeEnvelope, redactUrlsInText } from "./redis_channels.ts";
import type { Logger } from "../logger.ts";

/**
 * Delivers what a peer published on `channel` to `node` (absent once the
 * backplane closed). A malformed envelope (a foreign publisher on our
 * channel) is logged and ignored; a throwing node is logged, never
 * allowed to break the client's read loop.
 */
export function deliverEnvelope(
  node: BackplaneNode | undefined,
  text: string,
  channel: string,
  log: Logger,
): void {
  if (!node) return;
  const envelope = decodeEnvelope(text);
  if (!envelope) {
    log.log("warn", "backplane.redis.malformed", { channel });
    return;
  }
  if (envelope.from === node.id) return;
  try {
    node.receive(envelope.message, envelope.from);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    log.log("error", "backplane.redis.receive_failed", {
      error: redactUrlsInText(text),
    });
  }
}
