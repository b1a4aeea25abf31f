/**
 * Client results across two hub processes and a real redis-server: a
 * method on one process asks a connection held by the other and gets its
 * handler's value, or the same errors as a local call (client error,
 * missing handler, timeout, disconnect).
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { connect, type signalR } from "./helpers/signalr_client.ts";

const NODE = "tests/helpers/cluster_node.ts";

interface Outcome {
  readonly answer?: unknown;
  readonly error?: string;
}

function ask(
  from: signalR.HubConnection,
  to: signalR.HubConnection,
  question: unknown,
  timeoutMs = 0,
): Promise<Outcome> {
  return from.invoke<Outcome>("Ask", to.connectionId, question, timeoutMs);
}

Deno.test({
  name: "redis: client results reach a connection on another process",
  ignore: skipRedis,
  async fn() {
    const redis = await RedisServer.start();
    const procs: AppProcess[] = [];
    const clients: signalR.HubConnection[] = [];
    try {
      const env = {
        REDIS_URL: redis.url,
        HUB_PREFIX: `switchboard:test-${crypto.randomUUID()}`,
      };
      procs.push(
        ...await Promise.all([1, 2].map(() => AppProcess.start(NODE, env))),
      );
      const [p1, p2] = procs;
      const a = await connect(p1.url, "/cluster");
      const b = await connect(p2.url, "/cluster", {
        protocol: new MessagePackHubProtocol(),
      });
      clients.push(a, b);

      b.on("answer", (q: unknown) => ({ heard: q, by: "b" }));
      assert.deepEqual(await ask(a, b, "ready?"), {
        answer: { heard: "ready?", by: "b" },
      });
      // Both ways, and a local call still works beside remote ones.
      a.on("answer", (q: string) => `${q}!`);
      assert.deepEqual(await ask(b, a, "back"), { answer: "back!" });
      assert.deepEqual(await ask(a, a, "self"), { answer: "self!" });

      // Bytes and dates cross the backplane as bytes and dates: the JSON
      // asker sees them as ASP.NET writes them, not as {"0":9,…}.
      b.off("answer");
      b.on(
        "answer",
        () => [new Uint8Array([9, 8]), new Date(Date.UTC(2000, 0, 1))],
      );
      assert.deepEqual(await ask(a, b, "bytes"), {
        answer: ["CQg=", "2000-01-01T00:00:00Z"],
      });

      b.off("answer");
      b.on("answer", () => {
        throw new Error("not today");
      });
      assert.deepEqual(await ask(a, b, "x"), {
        error: "HubError: Error: not today",
      });

      b.off("answer");
      assert.deepEqual(await ask(a, b, "x"), {
        error: "HubError: Client didn't provide a result.",
      });

      const never = Promise.withResolvers<string>();
      b.on("answer", () => never.promise);
      const timedOut = await ask(a, b, "slow", 300);
      assert.match(
        String(timedOut.error),
        new RegExp(
          `^timeout: Connection '${b.connectionId}' did not answer 'answer' within 300 ms$`,
        ),
      );
      never.resolve("late"); // ignored by both processes

      // The holder sees its client leave and says so to the asker.
      b.off("answer");
      const asked = Promise.withResolvers<void>();
      b.on("answer", () => {
        asked.resolve();
        return new Promise(() => {});
      });
      const pending = ask(a, b, "bye?");
      await asked.promise;
      const bId = b.connectionId;
      await b.stop();
      assert.deepEqual(await pending, {
        error:
          `disconnected: Connection '${bId}' closed before it answered 'answer'`,
      });

      // Nobody holds this id: no process answers, so the call times out.
      const unknown = await a.invoke<Outcome>("Ask", "no-such-id", "?", 300);
      assert.match(String(unknown.error), /^timeout: /);
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
      await Promise.all(procs.map((p) => p.stop()));
      await redis.stop();
    }
  },
});
