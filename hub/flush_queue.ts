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

/**
 * Messages one turn may queue before the invocations still waiting go on
 * in a later turn (`turnSpent`). Deno writes a socket's frames only once
 * the turn ends, so a burst carried out in one turn reaches nobody until
 * all of it is done; cutting it lets the first frames leave early. The
 * budget doubles for each turn that spends it, so a long burst still
 * leaves in few, large frames (60 broadcasts to 5,000 members: about six
 * turns), and starts again from the bottom once a turn stays under it.
 * Tuning, not options: they change when frames leave, never what arrives.
 */
const FIRST_BUDGET = 5_000;
const MAX_BUDGET = 1 << 20;

let dirty: Flushable[] = [];
let scheduled = false;
let queuedThisTurn = 0;
let budget = FIRST_BUDGET;

/** Counts one message queued for a connection in this turn. */
export function countQueued(): void {
  queuedThisTurn++;
}

/**
 * True once this turn queued more than its budget: work that can wait (a
 * connection's next waiting invocation) should go on in a later turn, so
 * what is queued now is written first.
 */
export function turnSpent(): boolean {
  return queuedThisTurn > budget;
}

function drain(): void {
  budget = queuedThisTurn > budget
    ? Math.min(budget * 2, MAX_BUDGET)
    : FIRST_BUDGET;
  queuedThisTurn = 0;
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
