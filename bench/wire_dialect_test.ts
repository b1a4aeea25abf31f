import assert from "node:assert/strict";
import { dialect, marker, scanMarkers } from "./wire_dialect.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("scanMarkers finds every marker of a coalesced SignalR frame", () => {
  const frame = bytes(
    `{"type":1,"target":"tick","arguments":["${marker(7, 123)}"]}\x1e` +
      `{"type":6}\x1e{"type":3,"invocationId":"9","result":"${
        marker(8, 4567)
      }"}\x1e`,
  );
  const seen: [number, number][] = [];
  const found = scanMarkers(frame, 0, frame.length, {
    onMarker: (seq, micros) => seen.push([seq, micros]),
  });
  assert.equal(found, 2);
  assert.deepEqual(seen, [[7, 123], [8, 4567]]);
});

Deno.test("scanMarkers ignores a stray @ and a truncated marker", () => {
  const frame = bytes(`a@b @12: @3:4`);
  assert.equal(scanMarkers(frame, 0, frame.length, { onMarker: () => {} }), 0);
});

Deno.test("the socket.io dialect joins the namespace, then is ready", () => {
  const io = dialect("socketio");
  const open = bytes(`0{"sid":"x","pingInterval":25000}`);
  assert.deepEqual(io.hello(open, 0, open.length), {
    state: "wait",
    reply: "40",
  });
  const joined = bytes(`40{"sid":"y"}`);
  assert.deepEqual(io.hello(joined, 0, joined.length), { state: "ready" });
  const ping = bytes("2");
  assert.equal(io.pingReply(ping, 0, 1), "3");
});

Deno.test("the SignalR dialect accepts {} and refuses an error handshake", () => {
  const sr = dialect("signalr");
  const ok = bytes("{}\x1e");
  assert.equal(sr.hello(ok, 0, ok.length).state, "ready");
  const error = bytes(`{"error":"nope"}\x1e`);
  assert.equal(sr.hello(error, 0, error.length).state, "fail");
});
