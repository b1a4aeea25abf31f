import assert from "node:assert/strict";
import { defineHub } from "./hub_definition.ts";
import { HandlerHarness, handshakeRequest, settle } from "./handler_harness.ts";
import { FakeTransport } from "./fake_transport.ts";
import { requestInfo } from "./request_info.ts";
import { sweepConnection } from "./heartbeat.ts";
import { MessageType } from "./protocol/messages.ts";
import { jsonProtocol } from "./protocol/json.ts";
import { messagePackProtocol } from "./protocol/messagepack.ts";

const hub = defineHub({
  methods: {
    Echo: (_ctx, text: string) => text,
  },
});

Deno.test("handler: a good handshake is answered {} and opens the connection", async () => {
  const h = new HandlerHarness(hub);
  try {
    const connection = h.negotiate();
    const transport = h.attach(connection);
    assert.equal(connection.state, "attached");
    assert.equal(connection.phase?.kind, "handshaking");
    // In two pieces: a handshake may arrive split.
    const request = handshakeRequest();
    transport.receive(request.slice(0, 5));
    assert.equal(transport.frames.length, 0);
    transport.receive(request.slice(5));
    assert.deepEqual(transport.frames, ["{}\x1e"]);
    assert.equal(connection.state, "open");
    assert.equal(connection.protocol?.name, "json");
    assert.equal(h.manager.connections.get(connection.id), connection);
    assert.equal(h.counters.connectionsOpened, 1);
  } finally {
    await h.close();
  }
});

Deno.test("handler: messages in the handshake's frame are handled after it", async () => {
  const h = new HandlerHarness(hub);
  try {
    const connection = h.negotiate();
    const transport = h.attach(connection);
    transport.receive(
      handshakeRequest() +
        JSON.stringify({
          type: 1,
          invocationId: "1",
          target: "Echo",
          arguments: ["hi"],
        }) + "\x1e",
    );
    await settle();
    const answer = transport.records().find((r) => r.type === 3);
    assert.equal(answer?.result, "hi");
  } finally {
    await h.close();
  }
});

Deno.test("handler: a bad handshake is answered with its error and closed", async () => {
  const h = new HandlerHarness(hub);
  try {
    const connection = h.negotiate();
    const transport = h.attach(connection);
    transport.receive(
      JSON.stringify({ protocol: "smoke-signals", version: 1 }) + "\x1e",
    );
    const [answer] = transport.records();
    assert.match(String(answer.error), /smoke-signals/);
    assert.equal(connection.state, "closing");
    assert.equal(connection.closeReason, "protocol-error");
    assert.equal(transport.closed, true);
    await settle();
    assert.equal(connection.state, "closed");
    assert.equal(h.store.size, 0);
    assert.equal(h.counters.connectionsOpened, 0);
  } finally {
    await h.close();
  }
});

Deno.test("handler: a binary protocol on a text-only transport is refused", async () => {
  const h = new HandlerHarness(hub, {
    protocols: [jsonProtocol, messagePackProtocol],
  });
  try {
    const connection = h.negotiate();
    const transport = h.attach(connection, "ServerSentEvents");
    transport.receive(
      JSON.stringify({ protocol: "messagepack", version: 1 }) + "\x1e",
    );
    assert.deepEqual(transport.records(), [{
      error:
        "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.",
    }]);
    assert.equal(connection.closeReason, "protocol-error");
  } finally {
    await h.close();
  }
});

Deno.test("handler: a handshake that does not come in time fails", async () => {
  const h = new HandlerHarness(hub, { handshakeTimeoutMs: 1_000 });
  try {
    const connection = h.negotiate();
    const transport = h.attach(connection);
    const link = connection.link;
    assert.equal(link.kind, "attached");
    const since = link.kind === "attached" ? link.since : 0;
    sweepConnection(connection, since + 999, h.options, h.handler);
    assert.equal(connection.state, "attached", "not yet");
    sweepConnection(connection, since + 1_001, h.options, h.handler);
    assert.deepEqual(transport.records(), [
      { error: "Handshake was not completed in time." },
    ]);
    assert.equal(connection.closeReason, "protocol-error");
  } finally {
    await h.close();
  }
});

Deno.test("handler: a negotiated connection with no transport expires", async () => {
  const h = new HandlerHarness(hub, { negotiateTimeoutMs: 1_000 });
  try {
    const connection = h.negotiate();
    sweepConnection(
      connection,
      connection.createdAt + 1_001,
      h.options,
      h.handler,
    );
    assert.equal(connection.state, "closed");
    assert.equal(connection.closeReason, "negotiate-timeout");
    assert.equal(h.store.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("handler: close reasons reach onDisconnected and the log", async () => {
  const seen: (string | undefined)[] = [];
  const tracked = defineHub({
    onDisconnected(_ctx, error) {
      seen.push(error?.message);
    },
    methods: {},
  });
  const h = new HandlerHarness(tracked);
  try {
    // The client says Close: no Close back, no error for the hook.
    const a = h.connect();
    await settle();
    a.transport.send({ type: MessageType.Close });
    await settle();
    assert.equal(a.connection.closeReason, "client-closed");
    assert.equal(a.transport.records().filter((r) => r.type === 7).length, 0);
    // The socket just goes away.
    const b = h.connect();
    await settle();
    b.transport.hangUp();
    await settle();
    assert.equal(b.connection.closeReason, "transport-lost");
    // The server closes it (an admin, say): a Close with the error.
    const c = h.connect();
    await settle();
    h.handler.close(c.connection, "admin", "Closed by an operator.");
    const close = c.transport.records().find((r) => r.type === 7);
    assert.equal(close?.error, "Closed by an operator.");
    await settle();
    assert.deepEqual(seen, [undefined, "transport-lost", "admin"]);
    assert.deepEqual(
      h.events("connection.close").map((e) => e.fields?.reason),
      ["client-closed", "transport-lost", "admin"],
    );
    assert.equal(h.manager.connections.size, 0);
    assert.equal(h.store.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("handler: a backed-up socket is closed as a slow consumer, reconnect allowed", async () => {
  const h = new HandlerHarness(hub, { maxQueuedBytes: 1_000 });
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.buffered = 990;
    connection.sendMessage({
      type: MessageType.Invocation,
      target: "news",
      arguments: ["x".repeat(50)],
    });
    connection.flush();
    assert.equal(connection.closeReason, "slow-consumer");
    const close = transport.records().find((r) => r.type === 7);
    assert.equal(close?.allowReconnect, true);
    assert.equal(h.counters.slowConsumerCloses, 1);
  } finally {
    await h.close();
  }
});

Deno.test("handler: a stateful connection is suspended when its socket drops and resumes with a replay", async () => {
  const h = new HandlerHarness(hub, { statefulReconnect: true });
  try {
    const { connection, transport } = h.connect(2, true);
    await settle();
    assert.notEqual(connection.replay, null, "version 2 after an offer");
    connection.sendMessage({
      type: MessageType.Invocation,
      target: "news",
      arguments: [1],
    });
    connection.flush();
    transport.hangUp();
    assert.equal(connection.state, "suspended");
    // Sent while away: kept for the replay.
    connection.sendMessage({
      type: MessageType.Invocation,
      target: "news",
      arguments: [2],
    });
    const next = new FakeTransport();
    next.bind(h.handler.reattach(connection, next));
    assert.equal(connection.state, "suspended", "until the client speaks");
    next.send({ type: MessageType.Sequence, sequenceId: 1 });
    assert.equal(connection.state, "open");
    const records = next.records();
    assert.deepEqual(records[0], { type: 9, sequenceId: 1 });
    assert.deepEqual(
      records.slice(1).filter((r) => r.type === 1).map((r) => r.arguments),
      [[1], [2]],
    );
    assert.equal(h.events("connection.reattached").length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("handler: a suspended connection whose client never returns times out", async () => {
  const h = new HandlerHarness(hub, {
    statefulReconnect: true,
    statefulReconnectWindowMs: 1_000,
  });
  try {
    const { connection, transport } = h.connect(2, true);
    await settle();
    transport.hangUp();
    const link = connection.link;
    assert.equal(link.kind, "suspended");
    const since = link.kind === "suspended" ? link.since : 0;
    sweepConnection(connection, since + 1_001, h.options, h.handler);
    assert.equal(connection.state, "closed");
    assert.equal(connection.closeReason, "reconnect-timeout");
    assert.equal(h.manager.connections.size, 0);
  } finally {
    await h.close();
  }
});

Deno.test("handler: data from a replaced socket is ignored", async () => {
  const h = new HandlerHarness(hub, { statefulReconnect: true });
  try {
    const { connection, transport } = h.connect(2, true);
    await settle();
    const next = new FakeTransport();
    next.bind(h.handler.reattach(connection, next));
    assert.equal(transport.closed, true, "the old socket is closed");
    transport.send({
      type: 1,
      invocationId: "1",
      target: "Echo",
      arguments: ["old"],
    });
    await settle();
    assert.equal(next.frames.length, 0);
    assert.equal(connection.state, "suspended");
  } finally {
    await h.close();
  }
});

Deno.test("handler: garbage after the handshake closes with a protocol error", async () => {
  const h = new HandlerHarness(hub);
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.receive("{not json\x1e");
    const close = transport.records().find((r) => r.type === 7);
    assert.match(String(close?.error), /InvalidDataException/);
    assert.equal(connection.closeReason, "protocol-error");
  } finally {
    await h.close();
  }
});

/** A transport whose client is found gone as soon as the server writes. */
class HangsUpOnWrite extends FakeTransport {
  override write(): void {
    this.hangUp();
  }
}

Deno.test("handler: a transport that ends inside the handshake answer is cleaned up, never registered", async () => {
  const h = new HandlerHarness(hub);
  try {
    const connection = h.negotiate();
    const transport = new HangsUpOnWrite("ServerSentEvents");
    const request = requestInfo(new Request("http://127.0.0.1/hub"), null);
    transport.bind(h.handler.attach(connection, transport, request));
    transport.receive(handshakeRequest());
    await settle();
    assert.equal(connection.state, "closed");
    assert.equal(h.store.size, 0);
    assert.equal(h.manager.connections.size, 0);
    assert.equal(h.counters.connectionsOpened, 0);
    assert.equal(h.events("connection.open").length, 0);
  } finally {
    await h.close();
  }
});
