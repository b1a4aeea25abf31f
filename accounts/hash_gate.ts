/**
 * Bounds how many password hashes run at once and how many wait.
 *
 * A PBKDF2 hash is ~100 ms of CPU on a worker thread. Without a bound,
 * many sign-ins from many addresses (each under its own rate limit) would
 * start that many threads at once and starve the hub of CPU; with it, at
 * most `maxConcurrent` run, at most `maxQueued` wait (first come, first
 * served), and the rest are refused at once with `ServerBusyError`.
 *
 * @module
 */

/** Thrown by `HashGate.run` when the wait queue is full; answer 503. */
export class ServerBusyError extends Error {
  /** A fixed message: nothing about the request is in it. */
  constructor() {
    super("Too many password checks in progress");
    this.name = "ServerBusyError";
  }
}

/** A counting semaphore with a bounded FIFO queue. */
export class HashGate {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  /** Runs at most `maxConcurrent` tasks; at most `maxQueued` wait. */
  constructor(maxConcurrent: number, maxQueued: number) {
    if (!Number.isSafeInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError("maxConcurrent must be a whole number ≥ 1");
    }
    if (!Number.isSafeInteger(maxQueued) || maxQueued < 0) {
      throw new RangeError("maxQueued must be a whole number ≥ 0");
    }
    this.#maxConcurrent = maxConcurrent;
    this.#maxQueued = maxQueued;
  }

  /** Tasks running now (never above `maxConcurrent`). */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting now (never above `maxQueued`). */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` once a slot is free. Rejects with `ServerBusyError`,
   * without running it, when `maxQueued` tasks already wait.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#maxConcurrent) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#maxQueued) {
      return Promise.reject(new ServerBusyError());
    }
    // The slot passes straight from the releasing task to this one, so
    // `running` never dips and a newcomer cannot jump the queue.
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}
