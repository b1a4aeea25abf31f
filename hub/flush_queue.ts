/**
 * Coalesces sends: a connection that queued messages is flushed once per
 * event-loop turn, so everything queued for it while the turn's I/O was
 * handled (a burst of invocations read from one socket, a broadcast loop,
 * a method that sends several events) leaves as one frame, not one send
 * per message.
 *
 * The turn boundary is `setImmediate`: it runs after the I/O callbacks of
 * the current turn (all the WebSocket messages that arrived together), yet
 * before the next wait for I/O, so a lone reply is not delayed the way a
 * zero-delay timer delays it. A microtask would flush after each incoming
 * message instead: 60 broadcasts read in one turn became 60 sends per
 * member rather than one.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** Something with queued output. */
export interface Flushable {
  /** Writes everything queued as one frame. */
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

function drain(): void {
  // Swap first: a flush may queue more (a slow-consumer Close).
  while (dirty.length > 0) {
    const batch = dirty;
    dirty = [];
    for (let i = 0; i < batch.length; i++) batch[i].flush();
  }
  scheduled = false;
}

/** Flushes `item` at the end of this event-loop turn; once per dirty period. */
export function scheduleFlush(item: Flushable): void {
  dirty.push(item);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}
