/**
 * Waits for a condition that has no event to await (a health flag flipping
 * after a reconnect). The deadline only bounds a hung test; it is never
 * what a test asserts.
 *
 * @module
 */

/** Polls `check` every 20 ms until true; throws after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
