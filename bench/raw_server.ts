/**
 * The raw Deno WebSocket benchmark target: the limit a hub on Deno can
 * reach, with no hub logic at all. A text message starting with `b` is sent
 * verbatim to every socket (one `send` per socket in a loop); one starting
 * with `e` is sent back to its sender. The load generator puts the same
 * SignalR-framed bytes after the prefix that Switchboard would send, so both
 * targets move identical payloads.
 *
 * Prints `LISTENING <port>` once bound to 127.0.0.1 on an ephemeral port.
 *
 * @module
 */

import { acceptSocket, serveTarget } from "./target_serve.ts";

const sockets = new Set<WebSocket>();

function onMessage(socket: WebSocket, data: unknown): void {
  if (typeof data !== "string" || data.length < 1) return;
  const body = data.slice(1);
  if (data.charCodeAt(0) === 98 /* b */) {
    for (const peer of sockets) {
      if (peer.readyState === WebSocket.OPEN) peer.send(body);
    }
  } else if (data.charCodeAt(0) === 101 /* e */) {
    socket.send(body);
  }
}

serveTarget((request) => acceptSocket(request, sockets, onMessage));
