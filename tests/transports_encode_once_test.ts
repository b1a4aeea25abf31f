/**
 * One connection model for every transport: a broadcast to clients on
 * WebSockets, SSE and long polling is encoded once per protocol, and the
 * same bytes serve every transport.
 */

import { assertEquals } from "./helpers/assert.ts";
import { startRawHub } from "./helpers/raw_hub.ts";
import { connect, nextEvent, signalR } from "./helpers/signalr_client.ts";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  type HubProtocol,
  jsonProtocol,
  messagePackProtocol,
} from "../hub/mod.ts";
import type { HubMessage } from "../hub/protocol/messages.ts";

/** Wraps a protocol to count encodes of "news" invocations. */
function counting(protocol: HubProtocol, counts: Map<string, number>) {
  return {
    ...protocol,
    encode(message: HubMessage) {
      if (message.type === 1 && message.target === "news") {
        counts.set(protocol.name, (counts.get(protocol.name) ?? 0) + 1);
      }
      return protocol.encode(message);
    },
  } satisfies HubProtocol;
}

Deno.test("a broadcast is encoded once per protocol, whatever the transports", async () => {
  const counts = new Map<string, number>();
  const hub = await startRawHub({
    protocols: [
      counting(jsonProtocol, counts),
      counting(messagePackProtocol, counts),
    ],
  });
  const { HttpTransportType: T } = signalR;
  const clients = await Promise.all([
    connect(hub.url, "", { transport: T.WebSockets }),
    connect(hub.url, "", { transport: T.ServerSentEvents }),
    connect(hub.url, "", { transport: T.LongPolling }),
    connect(hub.url, "", {
      transport: T.WebSockets,
      protocol: new MessagePackHubProtocol(),
    }),
    connect(hub.url, "", {
      transport: T.LongPolling,
      protocol: new MessagePackHubProtocol(),
    }),
  ]);
  try {
    const got = Promise.all(clients.map((c) => nextEvent(c, "news")));
    await hub.hub.clients.all.send("news", { headline: "one encode" });
    assertEquals(await got, clients.map(() => ({ headline: "one encode" })));
    assertEquals(Object.fromEntries(counts), { json: 1, messagepack: 1 });
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await hub.close();
  }
});
