/**
 * What every Deno benchmark target serves alike, so the targets differ only
 * in how they answer: 127.0.0.1 on an ephemeral port announced as
 * `LISTENING <port>`, `/gc` for the runner, and a SIGTERM that exits.
 *
 * @module
 */

/** Answers a target's own requests; `undefined` falls through to 404. */
export type TargetHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo,
) => Response | Promise<Response> | undefined;

/**
 * Serves `handle`, printing `LISTENING <port>` once bound. On SIGTERM runs
 * `stop`, shuts the server down and exits, or exits after 1 s regardless.
 */
export function serveTarget(
  handle: TargetHandler,
  stop: () => Promise<void> = () => Promise.resolve(),
): void {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(`LISTENING ${port}`),
  }, (request, info) => {
    if (new URL(request.url).pathname === "/gc") {
      // Lets the runner collect garbage before reading RSS, as for every target.
      (globalThis as { gc?: () => void }).gc?.();
      return Response.json({ heapUsed: Deno.memoryUsage().heapUsed });
    }
    return handle(request, info) ??
      new Response("not found", { status: 404 });
  });
  Deno.addSignalListener("SIGTERM", () => {
    setTimeout(() => Deno.exit(0), 1000);
    stop().then(() => server.shutdown()).finally(() => Deno.exit(0));
  });
}

/**
 * Accepts a WebSocket upgrade, keeping `sockets` to the open ones and
 * passing each message to `onMessage`; `undefined` for other requests.
 */
export function acceptSocket(
  request: Request,
  sockets: Set<WebSocket>,
  onMessage: (socket: WebSocket, data: unknown) => void,
): Response | undefined {
  if (request.headers.get("upgrade") !== "websocket") return undefined;
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onerror = () => sockets.delete(socket);
  socket.onmessage = (event) => onMessage(socket, event.data);
  return response;
}
