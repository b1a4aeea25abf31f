import assert from "node:assert/strict";
import { ServerSentEventsTransport } from "./server_sent_events.ts";

/** A transport bound to a counter of `closed` reports. */
function counted(): {
  transport: ServerSentEventsTransport;
  closed: () => number;
} {
  const transport = new ServerSentEventsTransport();
  let closed = 0;
  transport.bind({ received() {}, closed: () => closed++ });
  return { transport, closed: () => closed };
}

Deno.test("SSE transport: a cancelled stream is reported once, after the cancel call returns", async () => {
  const { transport, closed } = counted();
  // Deno may cancel from inside our own enqueue; the hub must not hear of
  // it in the middle of its write.
  const cancelled = transport.response.body!.cancel();
  assert.equal(closed(), 0);
  await cancelled;
  await Promise.resolve();
  assert.equal(closed(), 1);
  transport.write("late");
  transport.close();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(closed(), 1);
});

Deno.test("SSE transport: close is reported once, later", async () => {
  const { transport, closed } = counted();
  transport.close();
  assert.equal(closed(), 0);
  await transport.response.body!.cancel();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(closed(), 1);
});
