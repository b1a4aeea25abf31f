import assert from "node:assert/strict";
import { TransportConnection } from "./transport_connection.ts";
import { FakeTransport } from "./fake_transport.ts";
import { sweepLink } from "./heartbeat.ts";
import { type HubOptions, resolveHubOptions } from "./options.ts";
import { validateHubOptions } from "./options_validation.ts";
import { jsonProtocol } from "./protocol/json.ts";
import type { CloseReason } from "./connection_state.ts";

const LIMITS = {
  framesPerSecond: 0,
  bytesPerSecond: 0,
  messagesPerSecond: 0,
  maxMessageSize: 1_000,
};

const resolve = (given: HubOptions) => {
  const options = resolveHubOptions(given, [jsonProtocol]);
  validateHubOptions(options);
  return options;
};

function closingConnection() {
  const c = new TransportConnection(
    { id: "id", token: "token", principal: null, remoteAddress: null },
    {
      slowConsumer: () => {},
      sent: () => {},
      addressFree: () => {},
      userFree: () => {},
    },
    1_000,
  );
  const transport = new FakeTransport();
  c.attach(transport, null, LIMITS, Date.now());
  c.open(Date.now());
  const endedAt = Date.now();
  c.end(null, "admin");
  return { c, endedAt };
}

Deno.test("heartbeat: a close that never completes is cleaned up after closingGraceMs", () => {
  const options = resolve({ closingGraceMs: 1_000 });
  const { c, endedAt } = closingConnection();
  const cleaned: (CloseReason | undefined)[] = [];
  const cleanup = { closed: (_: unknown, r?: CloseReason) => cleaned.push(r) };
  assert.equal(sweepLink(c, endedAt + 500, options, cleanup), false);
  assert.deepEqual(cleaned, [], "still inside the grace");
  assert.equal(sweepLink(c, endedAt + 5_000, options, cleanup), true);
  assert.equal(cleaned.length, 1, "forced once the grace is over");
});

Deno.test("heartbeat: closingGraceMs is an option with a 5 s default, validated", () => {
  assert.equal(resolve({}).closingGraceMs, 5_000);
  const { c, endedAt } = closingConnection();
  const cleanup = { closed: () => {} };
  const options = resolve({});
  assert.equal(sweepLink(c, endedAt + 4_000, options, cleanup), false);
  assert.equal(sweepLink(c, endedAt + 6_000, options, cleanup), true);
  assert.throws(() => resolve({ closingGraceMs: -1 }), /closingGraceMs/);
});
