import assert from "node:assert/strict";
import { TransportConnection } from "./transport_connection.ts";
import { FakeTransport } from "./fake_transport.ts";
import { ReplayBuffer } from "./replay_buffer.ts";

/** No input limits. */
const LIMITS = {
  framesPerSecond: 0,
  bytesPerSecond: 0,
  messagesPerSecond: 0,
  maxMessageSize: 1_000,
};

/** An owner that records what the connection reports. */
function owner() {
  const seen = {
    slow: 0,
    sent: 0,
    freed: [] as string[],
    users: [] as string[],
  };
  return {
    seen,
    slowConsumer: () => void seen.slow++,
    sent: (n: number) => void (seen.sent += n),
    addressFree: (address: string) => void seen.freed.push(address),
    userFree: (user: string) => void seen.users.push(user),
  };
}

function connection(max = 1_000) {
  const o = owner();
  const c = new TransportConnection(
    { id: "id", token: "token", principal: null, remoteAddress: "10.0.0.1" },
    o,
    max,
  );
  return { c, seen: o.seen };
}

Deno.test("transport connection: negotiated → attached → open → closing → closed", () => {
  const { c } = connection();
  assert.equal(c.state, "negotiated");
  assert.equal(c.transport, null);
  assert.equal(c.send("x"), false, "nothing is sent before a transport");
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 100);
  assert.equal(c.state, "attached");
  assert.equal(c.transport, t);
  assert.equal(c.transportName, "WebSockets");
  assert.equal(c.send("x"), false, "nor before it opens");
  c.open(200);
  assert.equal(c.state, "open");
  assert.equal(c.lastReceived, 200);
  c.end("bye", "admin");
  assert.equal(c.state, "closing");
  assert.equal(c.closeReason, "admin");
  assert.deepEqual(t.frames, ["bye"]);
  assert.equal(t.closed, true);
  assert.equal(c.finish("transport-lost"), true);
  assert.equal(c.state, "closed");
  assert.equal(c.closeReason, "admin", "the first reason stays");
  assert.equal(c.transport, null);
  assert.equal(c.finish("transport-lost"), false, "cleanup runs once");
});

Deno.test("transport connection: a second attach is refused", () => {
  const { c } = connection();
  c.attach(new FakeTransport(), null, LIMITS, 0);
  assert.throws(
    () => c.attach(new FakeTransport(), null, LIMITS, 0),
    /Cannot attach a transport while attached/,
  );
});

Deno.test("transport connection: input buckets exist only when a limit is set", () => {
  const { c } = connection();
  c.attach(new FakeTransport(), null, { ...LIMITS, framesPerSecond: 2 }, 0);
  assert.notEqual(c.rate, null);
  assert.equal(c.rate?.frame(1, 0), null);
  assert.equal(c.rate?.frame(1, 0), null);
  assert.equal(c.rate?.frame(1, 0), "frames");
  const other = connection().c;
  other.attach(new FakeTransport(), null, LIMITS, 0);
  assert.equal(other.rate, null);
});

Deno.test("transport connection: the address is handed back once, at cleanup", () => {
  const { c, seen } = connection();
  c.finish("negotiate-timeout");
  c.finish("negotiate-timeout");
  assert.deepEqual(seen.freed, ["10.0.0.1"]);
});

Deno.test("transport connection: a socket still open after cleanup keeps the address slot", () => {
  const { c, seen } = connection();
  const first = new FakeTransport();
  c.attach(first, null, LIMITS, 0);
  c.socketOpened();
  c.open(0);
  // Stateful reconnect: a second socket while the first is not gone yet.
  c.socketOpened();
  c.end("bye", "admin");
  c.finish("transport-lost");
  assert.deepEqual(seen.freed, [], "two sockets have not reported their end");
  c.socketEnded();
  assert.deepEqual(seen.freed, [], "one still open");
  assert.equal(c.liveSockets, 1);
  c.socketEnded();
  assert.deepEqual(seen.freed, ["10.0.0.1"], "free once the last one ended");
  c.socketEnded();
  assert.deepEqual(seen.freed, ["10.0.0.1"], "and only once");
});

Deno.test("transport connection: queued sends leave as one frame; a backed-up socket is reported", () => {
  const { c, seen } = connection(10);
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 0);
  c.open(0);
  assert.equal(c.send("abc"), true);
  assert.equal(c.send("def"), true);
  assert.equal(c.queuedBytes, 6);
  c.flush();
  assert.deepEqual(t.frames, ["abcdef"]);
  assert.equal(seen.sent, 2);
  assert.equal(c.send("0123456789x"), false, "past the bound");
  assert.equal(seen.slow, 1);
});

Deno.test("transport connection: suspend keeps sends for the replay, resume writes it first", () => {
  const { c } = connection();
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 0);
  c.open(0);
  c.suspend(10);
  assert.equal(c.state, "open", "no suspend without stateful reconnect");
  c.startReplay(new ReplayBuffer(1_000));
  c.suspend(10);
  assert.equal(c.state, "suspended");
  assert.equal(c.transport, null);
  assert.equal(c.send("kept"), true, "into the replay buffer");
  assert.equal(c.send("ping", false), false, "untracked sends are dropped");
  const next = new FakeTransport();
  assert.equal(c.reattach(next, 20), null, "no live socket was replaced");
  assert.equal(c.transport, next);
  assert.equal(c.state, "suspended");
  c.resume("replay", 30);
  assert.equal(c.state, "open");
  assert.deepEqual(next.frames, ["replay"]);
  const link = c.link;
  assert.equal(link.kind === "open" && link.since, 20);
});

Deno.test("transport connection: reattaching over a live socket suspends and hands it back", () => {
  const { c } = connection();
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 0);
  c.open(0);
  c.startReplay(new ReplayBuffer(1_000));
  const next = new FakeTransport();
  assert.equal(c.reattach(next, 5), t);
  const link = c.link;
  assert.equal(link.kind, "suspended");
  assert.equal(link.kind === "suspended" && link.since, 5);
});

Deno.test("transport connection: a lone reply on a WebSocket goes at once; what follows in the turn is joined after it", () => {
  const { c, seen } = connection(100);
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 0);
  c.open(0);
  assert.equal(c.send("r1", true, true), true);
  assert.deepEqual(t.frames, ["r1"], "written without waiting for the turn");
  assert.equal(c.send("m2"), true);
  assert.equal(c.send("r3", true, true), true);
  assert.deepEqual(t.frames, ["r1"], "the rest waits for the turn's end");
  c.flush();
  assert.deepEqual(t.frames, ["r1", "m2r3"]);
  assert.equal(seen.sent, 3);
});

Deno.test("transport connection: a reply behind queued messages keeps its place; SSE replies are joined", () => {
  const ws = connection(100);
  const t = new FakeTransport();
  ws.c.attach(t, null, LIMITS, 0);
  ws.c.open(0);
  ws.c.send("m1");
  ws.c.send("r2", true, true);
  assert.deepEqual(t.frames, []);
  ws.c.flush();
  assert.deepEqual(t.frames, ["m1r2"]);
  const sse = connection(100);
  const s = new FakeTransport("ServerSentEvents");
  sse.c.attach(s, null, LIMITS, 0);
  sse.c.open(0);
  sse.c.send("r1", true, true);
  assert.deepEqual(s.frames, []);
  sse.c.flush();
  assert.deepEqual(s.frames, ["r1"]);
});

Deno.test("transport connection: the last message of end() is written once and not kept", () => {
  const { c } = connection();
  const t = new FakeTransport();
  c.attach(t, null, LIMITS, 100);
  c.open(200);
  c.end("bye", "admin");
  assert.deepEqual(t.frames, ["bye"]);
  assert.equal(c.queuedBytes, 0);
  assert.equal(c.discardQueue(), 0, "nothing is left in the queue");
});
