/**
 * The Socket.IO 4.8 target of the public-contract workload, written as a
 * Socket.IO user would write the chart hub's three methods: rooms for
 * groups (`socket.join`, `io.to(room).emit`) and an ack for the caller's
 * answer. Websocket transport only; serves on 127.0.0.1:`PORT`.
 *
 * Plain JavaScript for the reason given in socketio_server.js.
 *
 * @module
 */

import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const io = new Server(http, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  socket.on("AddToGroup", (group, ack) => {
    socket.join(String(group));
    if (typeof ack === "function") ack();
  });
  socket.on("BroadcastToGroup", (group) => {
    io.to(String(group)).emit(
      "broadcasttogroup",
      `${socket.id} has joined the group ${group}.`,
    );
  });
  socket.on("GetConnectionId", (ack) => {
    if (typeof ack === "function") ack(socket.id);
  });
});

http.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
