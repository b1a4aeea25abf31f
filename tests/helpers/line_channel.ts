/**
 * Newline-delimited JSON over a byte stream: how the bench runner talks to
 * its load workers, and how tests read a child process's stdout (the app's
 * "listening" line, redis-server's log). A line longer than 16 MiB is an
 * error.
 *
 * @module
 */

const MAX_LINE = 16 << 20;

/** Yields each line of `stream` (without the newline). */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_LINE) throw new RangeError("Line too long");
  }
  if (pending.length > 0) yield pending;
}
