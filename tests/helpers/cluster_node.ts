/**
 * A hub process for the multi-process tests: one method per Clients target
 * (the chart hub exposes only some), users named by `?user=`, the backplane
 * from `REDIS_URL`. Run with `deno run -A tests/helpers/cluster_node.ts`
 * and PORT, HOSTNAME, REDIS_URL in the environment; it logs
 * `server.listening` with its URL and stops on SIGTERM.
 *
 * @module
 */

import {
  ClientResultError,
  consoleLogger,
  defineHub,
  HubServer,
  jsonProtocol,
  type LogLevel,
  messagePackProtocol,
} from "../../hub/mod.ts";
import { backplaneFromEnv } from "../../hub/backplane/backplane_from_env.ts";

/** Every event the test hub sends is `m` with a text. */
const EVENT = "m";

const clusterHub = defineHub({
  methods: {
    Whoami: (ctx) => ctx.connectionId,
    SendAll: (ctx, text: string) => ctx.clients.all.send(EVENT, text),
    SendOthers: (ctx, text: string) => ctx.clients.others.send(EVENT, text),
    SendAllExcept: (ctx, ids: string[], text: string) =>
      ctx.clients.allExcept(ids).send(EVENT, text),
    SendClient: (ctx, id: string, text: string) =>
      ctx.clients.client(id).send(EVENT, text),
    SendClients: (ctx, ids: string[], text: string) =>
      ctx.clients.clients(ids).send(EVENT, text),
    SendUser: (ctx, user: string, text: string) =>
      ctx.clients.user(user).send(EVENT, text),
    SendUsers: (ctx, users: string[], text: string) =>
      ctx.clients.users(users).send(EVENT, text),
    SendGroup: (ctx, group: string, text: string) =>
      ctx.clients.group(group).send(EVENT, text),
    SendGroups: (ctx, groups: string[], text: string) =>
      ctx.clients.groups(groups).send(EVENT, text),
    SendGroupExcept: (ctx, group: string, ids: string[], text: string) =>
      ctx.clients.groupExcept(group, ids).send(EVENT, text),
    SendOthersInGroup: (ctx, group: string, text: string) =>
      ctx.clients.othersInGroup(group).send(EVENT, text),
    Join: (ctx, group: string) => ctx.groups.add(ctx.connectionId, group),
    Leave: (ctx, group: string) => ctx.groups.remove(ctx.connectionId, group),
    AddOther: (ctx, id: string, group: string) => ctx.groups.add(id, group),
    RemoveOther: (ctx, id: string, group: string) =>
      ctx.groups.remove(id, group),
    /** A client result from connection `id`, wherever it is, or why not. */
    async Ask(ctx, id: string, question: unknown, timeoutMs: number) {
      try {
        const proxy = ctx.clients.client(id);
        const answer =
          await (timeoutMs > 0 ? proxy.withTimeout(timeoutMs) : proxy)
            .invoke("answer", question);
        return { answer };
      } catch (error) {
        const reason = error instanceof ClientResultError ? error.reason : null;
        const e = error as Error;
        return { error: `${reason ?? e.name}: ${e.message}` };
      }
    },
  },
});

const env = Deno.env.toObject();
const logger = consoleLogger((env.LOG_LEVEL as LogLevel) ?? "info");
const hub = new HubServer(clusterHub, {
  path: "/cluster",
  logger,
  protocols: [jsonProtocol, messagePackProtocol],
  backplane: await backplaneFromEnv(env, {
    prefix: env.HUB_PREFIX ?? "switchboard:cluster-test",
    logger,
  }),
  authenticate(request) {
    const user = new URL(request.url).searchParams.get("user");
    return user ? { userId: user, claims: { sub: user } } : null;
  },
});
await hub.start();
const server = Deno.serve({
  hostname: env.HOSTNAME ?? "127.0.0.1",
  port: Number(env.PORT ?? 0),
  onListen: () => {},
}, (request, info) => {
  const url = new URL(request.url);
  if (hub.matches(url)) return hub.handle(request, info);
  if (url.pathname === "/healthz") return Response.json(hub.health());
  if (url.pathname === "/metrics") return new Response(hub.metricsText());
  return new Response("Not found", { status: 404 });
});
const { port } = server.addr as Deno.NetAddr;
// Always printed, whatever LOG_LEVEL: the parent waits for this line.
console.error(JSON.stringify({
  event: "server.listening",
  url: `http://127.0.0.1:${port}`,
}));

Deno.addSignalListener("SIGTERM", async () => {
  await hub.shutdown();
  await server.shutdown();
  Deno.exit(0);
});
