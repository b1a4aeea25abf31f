/**
 * An optional reference target (`--targets=...,minimal`): the least a
 * SignalR JSON server must do on top of the raw loop — the handshake,
 * splitting records, `JSON.parse` of each invocation, `JSON.stringify` of
 * each completion, and encoding a broadcast once. No hub logic: no limits,
 * no queues, no dispatcher. Switchboard minus this target is the cost of
 * the hub itself; this target minus raw is the cost of the protocol.
 *
 * Prints `LISTENING <port>` once bound to 127.0.0.1 on an ephemeral port.
 *
 * @module
 */

import { acceptSocket, serveTarget } from "./target_serve.ts";

const RS = "\x1e";
const sockets = new Set<WebSocket>();
const ready = new WeakSet<WebSocket>();

function onRecord(socket: WebSocket, record: string): void {
  const message = JSON.parse(record);
  if (message.type !== 1) return;
  if (message.target === "Broadcast") {
    const frame = JSON.stringify({
      type: 1,
      target: "tick",
      arguments: message.arguments,
    }) + RS;
    for (const peer of sockets) {
      if (peer.readyState === WebSocket.OPEN) peer.send(frame);
    }
  } else if (message.target === "Echo" && message.invocationId !== undefined) {
    socket.send(
      JSON.stringify({
        type: 3,
        invocationId: message.invocationId,
        result: message.arguments[0],
      }) + RS,
    );
  }
}

function onMessage(socket: WebSocket, data: unknown): void {
  if (typeof data !== "string") return;
  let start = 0;
  for (let end = data.indexOf(RS); end >= 0; end = data.indexOf(RS, start)) {
    const record = data.slice(start, end);
    start = end + 1;
    if (ready.has(socket)) {
      onRecord(socket, record);
    } else {
      ready.add(socket);
      socket.send("{}" + RS);
    }
  }
}

serveTarget((request) => acceptSocket(request, sockets, onMessage));
