import assert from "node:assert/strict";
import { resolveHubOptions } from "./options.ts";
import { validateHubOptions } from "./options_validation.ts";
import { jsonProtocol } from "./protocol/json.ts";
import type { TransportName } from "./transports/transport.ts";

const resolve = (o: Parameters<typeof resolveHubOptions>[0]) =>
  validateHubOptions(resolveHubOptions(o, [jsonProtocol]));

Deno.test("options: the defaults are valid", () => {
  resolve({});
});

Deno.test("options: a bad value fails naming the option", () => {
  assert.throws(() => resolve({ maxMessageSize: -1 }), /maxMessageSize/);
  assert.throws(() => resolve({ clientTimeoutMs: NaN }), /clientTimeoutMs/);
  assert.throws(() => resolve({ maxConnections: 1.5 }), /whole number/);
  assert.throws(
    () => resolve({ detailedErrors: "yes" as unknown as boolean }),
    /detailedErrors/,
  );
  assert.throws(() => resolve({ transports: [] }), /transports/);
  assert.throws(
    () => resolve({ transports: ["Carrier" as TransportName] }),
    /unknown transport 'Carrier'/,
  );
  assert.throws(() => resolve({ protocols: [] }), /protocols/);
  assert.throws(() => resolve({ presenceTtlMs: 50 }), /presenceTtlMs/);
  assert.throws(
    () => resolve({ maxPendingGroupChanges: 0 }),
    /Option maxPendingGroupChanges must be at least 1, got 0/,
  );
});
