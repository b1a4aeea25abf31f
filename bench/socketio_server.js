/**
 * The Socket.IO 4.8 benchmark target: the same three workloads as the other
 * targets, written the way a Socket.IO user would (io.emit for fan-out, an
 * ack for request/response), websocket transport only. It is bundled into
 * one file and run with `node`, so Node's `ws` stack is what gets measured.
 *
 * Prints `LISTENING <port>` once bound to 127.0.0.1 on an ephemeral port.
 *
 * Plain JavaScript on purpose: importing socket.io from TypeScript pulls
 * @types/node into `deno check`, which retypes `setTimeout` for the whole
 * repo (hub/ included) and breaks `deno task check`.
 *
 * @module
 */

import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer((req, res) => {
  // Lets the runner collect garbage before reading RSS, as for every target.
  if (req.url === "/gc") {
    globalThis.gc?.();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ heapUsed: process.memoryUsage().heapUsed }));
    return;
  }
  res.statusCode = 404;
  res.end();
});

const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  // The load generator answers pings; keep Socket.IO's defaults otherwise.
});

io.on("connection", (socket) => {
  socket.on("bcast", (payload) => {
    io.emit("tick", payload);
  });
  socket.on("echo", (payload, ack) => {
    if (typeof ack === "function") ack(payload);
  });
});

http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`LISTENING ${port}`);
});

process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
