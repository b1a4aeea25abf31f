/**
 * Coalesces sends: a connection that queued messages is flushed once at
 * the end of the current task, so a burst (a broadcast loop, a method that
 * sends several events) leaves as one frame per connection, not one send
 * per message. One shared microtask per burst, no closure per message.
 *
 * @module
 */

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

/** Flushes `item` at the end of this task; call once per dirty period. */
export function scheduleFlush(item: Flushable): void {
  dirty.push(item);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}
