/**
 * Broken WebSocket upgrades are the client's error: 400 with the reason,
 * nothing made for them, and the hub still takes good ones. Thrown by
 * `Deno.upgradeWebSocket`, they were a 500, and a socket without
 * negotiate had already made its connection.
 */

import assert from "node:assert/strict";
import {
  ConnectionServer,
  defineHub,
  HubServer,
  silentLogger,
} from "../hub/mod.ts";
import { rawRequest } from "./helpers/raw_http.ts";

const KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

const servers = {
  hub: () =>
    new HubServer(defineHub({ methods: {} }), {
      path: "/hub",
      logger: silentLogger,
    }),
  "raw connection handler": () =>
    new ConnectionServer(
      { path: "/hub", async onConnection() {} },
      { logger: silentLogger },
    ),
};

for (const [name, make] of Object.entries(servers)) {
  Deno.test(`${name}: a WebSocket upgrade missing what Deno needs gets 400 and makes no connection`, async () => {
    const hub = make();
    await hub.start();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req, info) => hub.handle(req, info),
    );
    const port = server.addr.port;
    try {
      const broken: Array<[string[], RegExp]> = [
        [["Upgrade: websocket", "Connection: Upgrade"], /Sec-WebSocket-Key/],
        [["Upgrade: websocket", "Connection: keep-alive", KEY], /Connection/],
        [["Upgrade: websocket", KEY], /Connection/],
      ];
      for (const [headers, why] of broken) {
        for (const target of ["/hub", "/hub?id=unknown"]) {
          const res = await rawRequest(port, target, {
            headers: ["Sec-WebSocket-Version: 13", ...headers],
          });
          assert.equal(res.status, 400, `${target} ${headers}`);
          assert.match(res.text, why);
        }
      }
      if (hub instanceof HubServer) {
        assert.equal(hub.admin.stats().connections, 0);
      }
      const good = await rawRequest(port, "/hub", {
        headers: [
          "Upgrade: websocket",
          "Connection: Upgrade",
          KEY,
          "Sec-WebSocket-Version: 13",
        ],
      });
      assert.equal(good.status, 101);
    } finally {
      await hub.shutdown();
      await server.shutdown();
    }
  });
}
