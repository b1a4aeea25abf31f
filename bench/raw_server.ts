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

function upgrade(request: Request): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onerror = () => sockets.delete(socket);
  socket.onmessage = (event) => onMessage(socket, event.data);
  return response;
}

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`LISTENING ${port}`),
}, (request) => {
  if (request.headers.get("upgrade") === "websocket") return upgrade(request);
  if (new URL(request.url).pathname === "/gc") {
    // Lets the runner collect garbage before reading RSS, as for every target.
    (globalThis as { gc?: () => void }).gc?.();
    return Response.json({ heapUsed: Deno.memoryUsage().heapUsed });
  }
  return new Response("not found", { status: 404 });
});

Deno.addSignalListener("SIGTERM", () => {
  server.shutdown().finally(() => Deno.exit(0));
  setTimeout(() => Deno.exit(0), 1000);
});
