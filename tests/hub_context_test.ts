/**
 * The call context's view of its connection, with the official client on
 * every transport and protocol: `ctx.request` is the request that opened
 * the transport (without `access_token`, secrets kept out of logs),
 * `ctx.transport` and `ctx.protocol` name what the client chose; the hub
 * path matches case-insensitively, as ASP.NET's routing does.
 */

import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  defineHub,
  type HubContext,
  type Logger,
  messagePackProtocol,
} from "../hub/mod.ts";
import { jsonProtocol } from "../hub/protocol/json.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

interface Seen {
  readonly hook: string;
  readonly path: string;
  readonly room: string | null;
  readonly token: boolean;
  readonly opening: string;
  readonly remoteAddress: string;
  readonly transport: string;
  readonly protocol: string;
  readonly serialized: string;
}

/** What a context shows, in a form the client can compare. */
function describe(ctx: HubContext, hook: string): Seen {
  const { url, headers } = ctx.request;
  const opening = headers.get("upgrade")?.toLowerCase() === "websocket"
    ? "upgrade"
    : headers.get("accept")?.includes("text/event-stream")
    ? "sse-get"
    : "poll-get";
  return {
    hook,
    path: url.pathname,
    room: url.searchParams.get("room"),
    token: [...url.searchParams.keys()].some((k) =>
      k.toLowerCase() === "access_token"
    ),
    opening,
    remoteAddress: ctx.request.remoteAddress,
    transport: ctx.transport,
    protocol: ctx.protocol,
    serialized: JSON.stringify(ctx.request),
  };
}

function contextHub(hooks: Seen[]) {
  return defineHub({
    methods: { Describe: (ctx: HubContext) => describe(ctx, "method") },
    onConnected(ctx) {
      hooks.push(describe(ctx, "onConnected"));
    },
    onDisconnected(ctx) {
      hooks.push(describe(ctx, "onDisconnected"));
    },
  });
}

const T = signalR.HttpTransportType;
const cases = [
  { transport: T.WebSockets, protocol: "json", opening: "upgrade" },
  { transport: T.ServerSentEvents, protocol: "json", opening: "sse-get" },
  { transport: T.LongPolling, protocol: "json", opening: "poll-get" },
  { transport: T.WebSockets, protocol: "messagepack", opening: "upgrade" },
  { transport: T.LongPolling, protocol: "messagepack", opening: "poll-get" },
] as const;

for (const c of cases) {
  const name = `${T[c.transport]}/${c.protocol}`;
  Deno.test(`ctx.request, ctx.transport, ctx.protocol over ${name}`, async () => {
    const hooks: Seen[] = [];
    const lines: string[] = [];
    const logger: Logger = {
      log: (level, event, fields) =>
        lines.push(JSON.stringify({ level, event, ...fields })),
    };
    const secret = `tok-${crypto.randomUUID()}`;
    const app = await serveHub(contextHub(hooks), {
      protocols: [jsonProtocol, messagePackProtocol],
      logger,
      authenticate: (request) => {
        const bearer = request.headers.get("authorization");
        const query = new URL(request.url).searchParams.get("access_token");
        const presented = bearer?.replace(/^Bearer /, "") ?? query;
        return presented === secret
          ? { userId: "u1", claims: { sub: "u1" } }
          : false;
      },
    });
    const client = await connect(app.url, "/hub?room=blue", {
      transport: c.transport,
      accessTokenFactory: () => secret,
      protocol: c.protocol === "messagepack"
        ? new MessagePackHubProtocol()
        : undefined,
    });
    try {
      const seen = await client.invoke<Seen>("Describe");
      const expected = {
        path: "/hub",
        room: "blue",
        token: false,
        opening: c.opening,
        remoteAddress: "127.0.0.1",
        transport: T[c.transport],
        protocol: c.protocol,
      };
      const { hook: _h, serialized, ...rest } = seen;
      assert.deepEqual(rest, expected);
      assert.ok(!serialized.includes(secret), serialized);
      await client.stop();
      await waitUntil(() => hooks.length === 2, "both hooks ran");
      for (const hook of hooks) {
        const { hook: _h, serialized: _s, ...fields } = hook;
        assert.deepEqual(fields, expected, hook.hook);
      }
      assert.deepEqual(hooks.map((h) => h.hook), [
        "onConnected",
        "onDisconnected",
      ]);
      // The hub's own logs never carry the token either.
      assert.ok(lines.length > 0);
      for (const line of lines) assert.ok(!line.includes(secret), line);
    } finally {
      await client.stop();
      await app.close();
    }
  });
}

Deno.test("ctx.request serializes without Authorization and Cookie values", async () => {
  const hooks: Seen[] = [];
  const app = await serveHub(contextHub(hooks));
  try {
    const negotiate = await fetch(
      `${app.url}/hub/negotiate?negotiateVersion=1`,
      {
        method: "POST",
      },
    );
    const { connectionToken } = await negotiate.json();
    // The first long poll opens the connection, with a cookie and a header.
    const first = await fetch(`${app.url}/hub?id=${connectionToken}`, {
      headers: { cookie: "session=s3cr3t", authorization: "Basic czNjcjN0" },
    });
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const send = await fetch(`${app.url}/hub?id=${connectionToken}`, {
      method: "POST",
      body: '{"protocol":"json","version":1}\x1e' +
        '{"type":1,"invocationId":"1","target":"Describe","arguments":[]}\x1e',
    });
    assert.equal(send.status, 200);
    await send.body?.cancel();
    const poll = await fetch(`${app.url}/hub?id=${connectionToken}`);
    const body = await poll.text();
    const completion = JSON.parse(body.split("\x1e")[1]);
    const serialized: string = completion.result.serialized;
    assert.ok(!serialized.includes("s3cr3t"), serialized);
    assert.ok(!serialized.includes("czNjcjN0"), serialized);
    const parsed = JSON.parse(serialized);
    assert.equal(parsed.headers.cookie, "[redacted]");
    assert.equal(parsed.headers.authorization, "[redacted]");
    assert.equal(completion.result.opening, "poll-get");
    await fetch(`${app.url}/hub?id=${connectionToken}`, { method: "DELETE" })
      .then((r) => r.body?.cancel());
  } finally {
    await app.close();
  }
});

for (const transport of [T.WebSockets, T.ServerSentEvents, T.LongPolling]) {
  Deno.test(`hub paths match case-insensitively over ${T[transport]}`, async () => {
    const app = await serveHub(contextHub([]), { path: "/Chart" });
    const upper = await connect(app.url, "/CHART?room=red", { transport });
    const lower = await connect(app.url, "/chart", { transport });
    try {
      const seen = await upper.invoke<Seen>("Describe");
      assert.equal(seen.path, "/CHART");
      assert.equal(seen.room, "red");
      assert.equal(
        (await lower.invoke<Seen>("Describe")).transport,
        T[transport],
      );
      const res = await fetch(`${app.url}/cHaRt/NeGoTiAtE`, { method: "POST" });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const other = await fetch(`${app.url}/chartx/negotiate`, {
        method: "POST",
      });
      assert.equal(other.status, 404);
      await other.body?.cancel();
    } finally {
      await upper.stop();
      await lower.stop();
      await app.close();
    }
  });
}
