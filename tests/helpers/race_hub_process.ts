/**
 * The raw test hub in a process of its own, for tests that race a client's
 * abort against the server: in one process with the client, the event
 * loop they share orders the two and the race is seldom lost. Run with
 * `deno run -A tests/helpers/race_hub_process.ts` and `HUB_OPTIONS` (JSON
 * hub options); callers are named by their `x-user` header. Besides the hub
 * at `/hub` and `/metrics` it answers `GET /stats` (the hub's map sizes and
 * how often each connection was opened and cleaned up) and
 * `POST /disconnect?id=` (the admin API's disconnect). It logs
 * `server.listening` with its URL, as `AppProcess` waits for, and stops on
 * SIGTERM.
 *
 * @module
 */

import { rawHub } from "./raw_hub.ts";
import { HubServer, type Logger } from "../../hub/mod.ts";

/** Times each connection was logged as opened and as closed. */
const opened = new Map<string, number>();
const closed = new Map<string, number>();

const logger: Logger = {
  log(_level, event, fields) {
    const id = String(fields?.connectionId);
    if (event === "connection.open") opened.set(id, (opened.get(id) ?? 0) + 1);
    if (event === "connection.close") closed.set(id, (closed.get(id) ?? 0) + 1);
  },
};

const hub = new HubServer(rawHub, {
  path: "/hub",
  ...JSON.parse(Deno.env.get("HUB_OPTIONS") ?? "{}"),
  logger,
  authenticate: (req) => {
    const user = req.headers.get("x-user");
    return user ? { userId: user, claims: { sub: user } } : null;
  },
});
await hub.start();

/** What `/stats` answers. */
export interface RaceStats {
  readonly sizes: Record<"store" | "connections" | "users" | "groups", number>;
  /** Connections logged as opened. */
  readonly opened: number;
  /** Opened connections never cleaned up. */
  readonly neverClosed: number;
  /** Connections cleaned up more than once, or without being opened. */
  readonly badCloses: number;
}

function stats(): RaceStats {
  let neverClosed = 0;
  let badCloses = 0;
  for (const id of opened.keys()) if (!closed.has(id)) neverClosed++;
  for (const [id, n] of closed) {
    if (n !== 1 || opened.get(id) !== 1) badCloses++;
  }
  return { sizes: hub.sizes(), opened: opened.size, neverClosed, badCloses };
}

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  (req, info) => {
    const url = new URL(req.url);
    if (url.pathname === "/stats") return Response.json(stats());
    if (url.pathname === "/disconnect" && req.method === "POST") {
      return Response.json(hub.admin.disconnect(url.searchParams.get("id")!));
    }
    if (url.pathname === "/metrics") return new Response(hub.metricsText());
    if (hub.matches(url)) return hub.handle(req, info);
    return new Response("Not found", { status: 404 });
  },
);
const { port } = server.addr as Deno.NetAddr;
// Always printed: the parent waits for this line.
console.error(
  JSON.stringify({
    event: "server.listening",
    url: `http://127.0.0.1:${port}`,
  }),
);
Deno.addSignalListener("SIGTERM", async () => {
  await hub.shutdown();
  await server.shutdown();
  Deno.exit(0);
});
