/**
 * The raw Deno WebSocket target of the public-contract workload: the same
 * SignalR JSON framing and hub methods the chart hub offers
 * (`AddToGroup`, `BroadcastToGroup`, `GetConnectionId`), written as the
 * plainest loop a Deno user would write: no negotiate, a `Set` per group,
 * one `send()` per message per member, records parsed with `JSON.parse`.
 *
 * Serves on 127.0.0.1:`PORT` at `/raw`; any other path answers 404.
 *
 * @module
 */

const RS = "\x1e";
const groups = new Map<string, Set<WebSocket>>();
const ids = new WeakMap<WebSocket, string>();
let nextId = 0;

interface Invocation {
  type: number;
  invocationId?: string;
  target?: string;
  arguments?: unknown[];
}

function complete(socket: WebSocket, id: string | undefined, result?: string) {
  if (id === undefined) return;
  socket.send(
    result === undefined
      ? `{"type":3,"invocationId":${JSON.stringify(id)}}${RS}`
      : `{"type":3,"invocationId":${JSON.stringify(id)},"result":${
        JSON.stringify(result)
      }}${RS}`,
  );
}

function invoke(socket: WebSocket, message: Invocation): void {
  const group = String(message.arguments?.[0] ?? "");
  switch (message.target) {
    case "AddToGroup": {
      let members = groups.get(group);
      if (!members) groups.set(group, members = new Set());
      members.add(socket);
      return complete(socket, message.invocationId);
    }
    case "BroadcastToGroup": {
      const text = `${ids.get(socket)} has joined the group ${group}.`;
      const record = `{"type":1,"target":"broadcasttogroup","arguments":[${
        JSON.stringify(text)
      }]}${RS}`;
      for (const peer of groups.get(group) ?? []) {
        if (peer.readyState === WebSocket.OPEN) peer.send(record);
      }
      return complete(socket, message.invocationId);
    }
    case "GetConnectionId":
      return complete(socket, message.invocationId, ids.get(socket));
  }
}

function onMessage(socket: WebSocket, data: unknown): void {
  if (typeof data !== "string") return;
  if (!ids.has(socket)) {
    // The handshake record; the answer is the empty object.
    ids.set(socket, `raw${++nextId}`);
    socket.send(`{}${RS}`);
    return;
  }
  for (const record of data.split(RS)) {
    if (record.length === 0) continue;
    const message = JSON.parse(record) as Invocation;
    if (message.type === 1) invoke(socket, message);
  }
}

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT")),
  onListen: () => {},
}, (request) => {
  if (new URL(request.url).pathname !== "/raw") {
    return new Response("not found", { status: 404 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onmessage = (event) => onMessage(socket, event.data);
  socket.onclose = () => {
    for (const members of groups.values()) members.delete(socket);
  };
  return response;
});
