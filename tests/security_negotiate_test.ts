/**
 * Negotiate versions as an attacker meets them, over real HTTP: version 0
 * (whose connection token is the public connection id) is refused by
 * default with ASP.NET's text, and where a hub allows it, a version-0
 * connection is never offered stateful reconnect, so nobody who only
 * knows its id can take it over.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { startFaultHub } from "./helpers/fault_hub.ts";
import { RawClient, upgradeHeaders } from "./helpers/raw_socket.ts";
import { connect } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { defineHub, HubServer } from "../hub/mod.ts";

const RS = "\x1e";

async function negotiate(base: string, query: string) {
  const response = await fetch(`${base}/hub/negotiate${query}`, {
    method: "POST",
  });
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "application/json");
  return await response.json();
}

async function upgradeStatus(base: string, id: string): Promise<number> {
  const response = await fetch(`${base}/hub?id=${id}`, {
    headers: upgradeHeaders(),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("negotiate: versions below minNegotiateVersion get ASP.NET's error and no connection", async () => {
  const app = await startFaultHub();
  try {
    const old =
      "The client requested version '0', but the server does not support this version.";
    assertEquals(await negotiate(app.url, ""), { error: old });
    assertEquals(await negotiate(app.url, "?negotiateVersion=0"), {
      error: old,
    });
    assertEquals(await negotiate(app.url, "?NegotiateVersion=-3"), {
      error:
        "The client requested version '-3', but the server does not support this version.",
    });
    for (const bad of ["abc", "1.5", "", "99999999999"]) {
      assertEquals(await negotiate(app.url, `?negotiateVersion=${bad}`), {
        error: "The client requested a non-integer protocol version.",
      }, bad);
    }
    assertEquals(app.hub.sizes().store, 0);
    const ok = await negotiate(app.url, "?negotiateVersion=1");
    assertEquals(ok.negotiateVersion, 1);
    assert.notEqual(ok.connectionToken, ok.connectionId);
    // The official client sends version 1 and connects as before.
    const client = await connect(app.url, "/hub");
    try {
      assertEquals(await client.invoke("Echo", 7), 7);
    } finally {
      await client.stop();
    }
  } finally {
    await app.close();
  }
});

Deno.test("negotiate: a minimum above the maximum is refused when the hub is built", () => {
  const hub = defineHub({ methods: {} });
  assert.throws(
    () => new HubServer(hub, { path: "/hub", minNegotiateVersion: 2 }),
    RangeError,
  );
  assert.throws(
    () => new HubServer(hub, { path: "/hub", negotiateVersion: 0 }),
    /minNegotiateVersion/,
  );
});

Deno.test("negotiate: a version-0 connection is never stateful and cannot be taken over by its id", async () => {
  const app = await startFaultHub({ minNegotiateVersion: 0 });
  try {
    const body = await negotiate(app.url, "?useStatefulReconnect=true");
    assertEquals(body.negotiateVersion, 0);
    assertEquals("connectionToken" in body, false);
    assertEquals(body.useStatefulReconnect, undefined);
    const id: string = body.connectionId;
    // The victim asks for protocol version 2 (stateful) all the same.
    const victim = await RawClient.open(`${app.url}/hub?id=${id}`);
    victim.send(`{"protocol":"json","version":2}${RS}`);
    assertEquals(await victim.next(), {});
    victim.sendMessage({
      type: 1,
      invocationId: "1",
      target: "GetConnectionId",
      arguments: [],
    });
    assertEquals((await victim.next()).result, id);
    // Someone who saw the id (a hub may announce it) tries every door.
    assertEquals(await upgradeStatus(app.url, id), 409);
    const poll = await fetch(`${app.url}/hub?id=${id}`);
    assertEquals(poll.status, 400);
    await poll.body?.cancel();
    const send = await fetch(`${app.url}/hub?id=${id}`, {
      method: "POST",
      body: `{"type":1,"target":"Echo","arguments":[1]}${RS}`,
    });
    assertEquals(send.status, 405);
    await send.body?.cancel();
    // The victim still has its connection, and nothing was lost.
    victim.sendMessage({
      type: 1,
      invocationId: "2",
      target: "Echo",
      arguments: ["still mine"],
    });
    assertEquals((await victim.next()).result, "still mine");
    // Once its socket drops the connection ends at once: nothing waits
    // for a reattach, so the id opens nothing.
    await victim.close();
    await waitUntil(() => app.hub.sizes().store === 0, "the connection ends");
    assertEquals(await upgradeStatus(app.url, id), 404);
  } finally {
    await app.close();
  }
});
