/**
 * A hub process for the multi-process tests: one method per Clients target
 * (the chart hub exposes only some), users named by `?user=`, the backplane
 * from `REDIS_URL`. Run with `deno run -A tests/helpers/cluster_node.ts`
 * and PORT, HOSTNAME, REDIS_URL in the environment; it logs
 * `server.listening` with its URL and stops on SIGTERM. The telemetry
 * tests use it too (methods that fail, nest spans, stream, upload; hooks;
 * `CLIENT_TIMEOUT_MS`, `KEEP_ALIVE_MS`).
 *
 * @module
 */

import { trace } from "@opentelemetry/api";
import {
  ClientResultError,
  consoleLogger,
  defineHub,
  HubError,
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
    Echo: (_ctx, text: string) => text,
    Fail: (_ctx) => {
      throw new HubError("Refused on purpose");
    },
    Crash: async (_ctx) => {
      await Promise.resolve();
      throw new RangeError("Crashed on purpose");
    },
    /** A span of its own and a fetch, after an await: both its children. */
    Nested: async (_ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      trace.getTracer("cluster-node").startActiveSpan("work", (span) => {
        span.end();
      });
      const response = await fetch(`${selfUrl}/healthz`);
      return response.status;
    },
    async *Count(_ctx, n: number) {
      for (let i = 0; i < n; i++) yield i;
    },
    async Sum(_ctx, numbers: AsyncIterable<number>) {
      let total = 0;
      for await (const n of numbers) total += n;
      return total;
    },
  },
  async onConnected() {
    await Promise.resolve();
  },
  onDisconnected() {},
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
  clientTimeoutMs: env.CLIENT_TIMEOUT_MS
    ? Number(env.CLIENT_TIMEOUT_MS)
    : undefined,
  keepAliveIntervalMs: env.KEEP_ALIVE_MS
    ? Number(env.KEEP_ALIVE_MS)
    : undefined,
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
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const { port } = server.addr as Deno.NetAddr;
const selfUrl = `http://127.0.0.1:${port}`;
// Always printed, whatever LOG_LEVEL: the parent waits for this line.
console.error(JSON.stringify({
  event: "server.listening",
  url: `http://127.0.0.1:${port}`,
}));

Deno.addSignalListener("SIGTERM", async () => {
  await hub.shutdown();
  await server.shutdown();
  // With OpenTelemetry on, wait for a periodic export to carry the values
  // shutdown left: Deno's flush at exit may hang (denoland/deno#33157).
  const exportMs = Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 0);
  if (env.OTEL_DENO === "true") await delay(3 * exportMs);
  Deno.exit(0);
});
