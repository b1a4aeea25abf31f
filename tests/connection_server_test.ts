/**
 * Raw connection handlers (`ConnectionServer`) with the official client's
 * `HttpConnection`: echo over all three transports, text and binary; the
 * handler's view (id, request, transport); the connection ends when the
 * handler returns; limits, origin check and authorization as for a hub.
 */

import assert from "node:assert/strict";
import {
  type ConnectionEndpoint,
  ConnectionServer,
  type HubOptions,
  type RawConnection,
} from "../hub/mod.ts";
import { serveEndpoint, testLogger } from "./helpers/hub_fixture.ts";
import {
  type HttpConnection,
  rawConnection,
} from "./helpers/http_connection.ts";
import { signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

interface Served {
  readonly url: string;
  readonly server: ConnectionServer;
  close(): Promise<void>;
}

async function serve(
  endpoint: Omit<ConnectionEndpoint, "path">,
  options: HubOptions = {},
): Promise<Served> {
  const server = new ConnectionServer(
    { path: "/echo", ...endpoint },
    { logger: testLogger(), ...options },
  );
  await server.start();
  return { ...serveEndpoint(server), server };
}

/** Echo, recording what each handler saw of its connection. */
function echo(seen: RawConnection[]) {
  return {
    async onConnection(connection: RawConnection) {
      seen.push(connection);
      for await (const message of connection.messages) connection.send(message);
    },
  };
}

/** Received messages, one promise at a time. */
function receiver(connection: HttpConnection) {
  const queue: (string | ArrayBuffer)[] = [];
  let wake: (() => void) | null = null;
  connection.onreceive = (data) => {
    queue.push(data);
    wake?.();
  };
  return async (): Promise<string | ArrayBuffer> => {
    while (queue.length === 0) {
      await new Promise<void>((resolve) => wake = resolve);
    }
    return queue.shift()!;
  };
}

const T = signalR.HttpTransportType;
const F = signalR.TransferFormat;
const cases = [
  { transport: T.WebSockets, format: F.Text },
  { transport: T.ServerSentEvents, format: F.Text },
  { transport: T.LongPolling, format: F.Text },
  { transport: T.WebSockets, format: F.Binary },
  { transport: T.LongPolling, format: F.Binary },
];

for (const { transport, format } of cases) {
  const name = `${T[transport]}/${F[format]}`;
  Deno.test(`connection handler echoes over ${name}`, async () => {
    const seen: RawConnection[] = [];
    const app = await serve(echo(seen));
    const client = rawConnection(`${app.url}/Echo?room=7`, transport);
    const next = receiver(client);
    const closed = Promise.withResolvers<Error | undefined>();
    client.onclose = (e) => closed.resolve(e);
    try {
      await client.start(format);
      if (format === F.Text) {
        for (const text of ["hello", "grüße ✓", "x".repeat(10_000)]) {
          await client.send(text);
          assert.equal(await next(), text);
        }
      } else {
        for (const bytes of [[0, 1, 255], [7], new Array(5000).fill(9)]) {
          await client.send(new Uint8Array(bytes).buffer);
          const back = await next();
          assert.ok(back instanceof ArrayBuffer, `${typeof back}`);
          assert.deepEqual([...new Uint8Array(back)], bytes);
        }
      }
      assert.equal(seen.length, 1);
      const [c] = seen;
      assert.equal(c.id, client.connectionId);
      assert.equal(c.transport, T[transport]);
      assert.equal(c.request.url.searchParams.get("room"), "7");
      assert.equal(c.request.remoteAddress, "127.0.0.1");
      assert.equal(c.userId, null);
      await client.stop();
      await closed.promise;
      await waitUntil(() => app.server.size === 0, "server cleaned up");
      assert.equal(c.send("late"), false);
    } finally {
      await client.stop();
      await app.close();
    }
  });
}

Deno.test("connection handler: skipNegotiation WebSocket echoes", async () => {
  const app = await serve(echo([]));
  const client = rawConnection(`${app.url}/echo`, T.WebSockets, {
    skipNegotiation: true,
  });
  const next = receiver(client);
  try {
    await client.start(F.Text);
    await client.send("direct");
    assert.equal(await next(), "direct");
  } finally {
    await client.stop();
    await app.close();
  }
});

for (const transport of [T.WebSockets, T.ServerSentEvents, T.LongPolling]) {
  Deno.test(`the connection ends when the handler returns over ${T[transport]}`, async () => {
    const app = await serve({
      onConnection(connection) {
        connection.send(`bye from ${connection.transport}`);
      },
    });
    const client = rawConnection(`${app.url}/echo`, transport);
    const next = receiver(client);
    const closed = Promise.withResolvers<Error | undefined>();
    client.onclose = (e) => closed.resolve(e);
    try {
      await client.start(F.Text);
      assert.equal(await next(), `bye from ${T[transport]}`);
      await closed.promise;
      await waitUntil(() => app.server.size === 0, "server cleaned up");
    } finally {
      await client.stop();
      await app.close();
    }
  });
}

Deno.test("connection handler: an oversized message closes the connection", async () => {
  const app = await serve(echo([]), { maxMessageSize: 1024 });
  try {
    for (const transport of [T.WebSockets, T.LongPolling]) {
      const client = rawConnection(`${app.url}/echo`, transport);
      const next = receiver(client);
      const closed = Promise.withResolvers<Error | undefined>();
      client.onclose = (e) => closed.resolve(e);
      await client.start(F.Text);
      await client.send("small");
      assert.equal(await next(), "small");
      await client.send("y".repeat(2048)).catch(() => {});
      await closed.promise;
      await client.stop();
    }
    await waitUntil(() => app.server.size === 0, "server cleaned up");
    assert.ok(app.server.counters.messagesDropped >= 2);
  } finally {
    await app.close();
  }
});

Deno.test("connection handler: cross-origin requests are refused", async () => {
  const app = await serve(echo([]), {
    allowedOrigins: ["https://good.example"],
  });
  try {
    const bad = await fetch(`${app.url}/echo/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(bad.status, 403);
    await bad.body?.cancel();
    const good = await fetch(`${app.url}/echo/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { origin: "https://good.example" },
    });
    assert.equal(good.status, 200);
    assert.equal(
      good.headers.get("access-control-allow-origin"),
      "https://good.example",
    );
    const body = await good.json();
    assert.deepEqual(
      body.availableTransports.map((t: { transport: string }) => t.transport),
      [
        "WebSockets",
        "ServerSentEvents",
        "LongPolling",
      ],
    );
  } finally {
    await app.close();
  }
});

Deno.test("connection handler: authorize refuses anonymous (401) and the rule's rejects (403)", async () => {
  const seen: RawConnection[] = [];
  const app = await serve(
    { ...echo(seen), authorize: { roles: ["member"] } },
    {
      authenticate(request) {
        const bearer = request.headers.get("authorization")?.slice(7) ??
          new URL(request.url).searchParams.get("access_token");
        if (!bearer) return null;
        const [user, role] = bearer.split(".");
        return { userId: user, claims: { sub: user, roles: [role] } };
      },
    },
  );
  try {
    const anonymous = await fetch(`${app.url}/echo/negotiate`, {
      method: "POST",
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const guest = await fetch(`${app.url}/echo/negotiate`, {
      method: "POST",
      headers: { authorization: "Bearer gus.guest" },
    });
    assert.equal(guest.status, 403);
    await guest.body?.cancel();
    await assert.rejects(
      rawConnection(`${app.url}/echo`, T.WebSockets).start(F.Text),
    );
    for (const transport of [T.WebSockets, T.ServerSentEvents, T.LongPolling]) {
      const client = rawConnection(`${app.url}/echo`, transport, {
        accessTokenFactory: () => "mia.member",
      });
      const next = receiver(client);
      await client.start(F.Text);
      await client.send("signed in");
      assert.equal(await next(), "signed in");
      await client.stop();
    }
    assert.deepEqual(seen.map((c) => c.userId), ["mia", "mia", "mia"]);
  } finally {
    await app.close();
  }
});

Deno.test("connection handler: a flood or an unread inbox closes the connection", async () => {
  const flooded = await serve(echo([]), { messagesPerSecond: 5 });
  const stalled = await serve({
    // Never reads: what the client sends piles up in the inbox.
    onConnection: () => new Promise(() => {}),
  }, { maxQueuedBytes: 4096 });
  try {
    for (
      const [app, message] of [[flooded, "x"], [
        stalled,
        "y".repeat(1000),
      ]] as const
    ) {
      const client = rawConnection(`${app.url}/echo`, T.WebSockets);
      const closed = Promise.withResolvers<Error | undefined>();
      client.onclose = (e) => closed.resolve(e);
      await client.start(F.Text);
      for (let i = 0; i < 20; i++) await client.send(message).catch(() => {});
      await closed.promise;
      await client.stop();
      await waitUntil(() => app.server.size === 0, "server cleaned up");
      assert.ok(app.server.counters.messagesDropped >= 1);
    }
  } finally {
    await flooded.close();
    await stalled.close();
  }
});
