import assert from "node:assert/strict";
import { defineHub } from "./hub_definition.ts";
import { HubError } from "./hub_error.ts";
import { ClientResultError } from "./client_result_error.ts";
import { HandlerHarness, settle } from "./handler_harness.ts";

function completions(records: Record<string, unknown>[]) {
  return records.filter((r) => r.type === 3);
}

function call(id: string, target: string, ...args: unknown[]) {
  return { type: 1, invocationId: id, target, arguments: args };
}

Deno.test("dispatcher: calls that arrive during onConnected wait, then run in order", async () => {
  const { promise: connected, resolve } = Promise.withResolvers<void>();
  const ran: string[] = [];
  const hub = defineHub({
    async onConnected() {
      await connected;
    },
    methods: {
      Note(_ctx, text: string) {
        ran.push(text);
        return text;
      },
    },
  });
  // More than one may run in parallel: the hold still keeps them all back.
  const h = new HandlerHarness(hub, { maxParallelInvocations: 4 });
  try {
    const { connection, transport } = h.connect();
    transport.send(call("1", "Note", "a"), call("2", "Note", "b"));
    transport.send(call("3", "Note", "c"));
    await settle();
    assert.deepEqual(ran, [], "nothing runs before onConnected settles");
    assert.equal(h.dispatcher.running(connection), 0);
    resolve();
    await settle();
    assert.deepEqual(ran, ["a", "b", "c"]);
    assert.deepEqual(
      completions(transport.records()).map((c) => [c.invocationId, c.result]),
      [["1", "a"], ["2", "b"], ["3", "c"]],
    );
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: one call at a time by default, in arrival order", async () => {
  const order: string[] = [];
  const gates = new Map<string, () => void>();
  const hub = defineHub({
    methods: {
      async Slow(_ctx, name: string) {
        order.push(`start ${name}`);
        await new Promise<void>((r) => gates.set(name, r));
        order.push(`end ${name}`);
      },
    },
  });
  const h = new HandlerHarness(hub);
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.send(call("1", "Slow", "x"), call("2", "Slow", "y"));
    await settle();
    assert.deepEqual(order, ["start x"]);
    assert.equal(h.dispatcher.running(connection), 1);
    gates.get("x")?.();
    await settle();
    assert.deepEqual(order, ["start x", "end x", "start y"]);
    gates.get("y")?.();
    await settle();
    assert.equal(h.dispatcher.running(connection), 0);
    assert.equal(completions(transport.records()).length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: waiting calls past the byte bound close the connection saying why", async () => {
  const hub = defineHub({
    methods: {
      Block: () => new Promise<void>(() => {}),
    },
  });
  const h = new HandlerHarness(hub, { maxPendingInvocationBytes: 200 });
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.send(call("0", "Block")); // runs, never ends
    for (let i = 1; i <= 10 && connection.state === "open"; i++) {
      transport.send(call(String(i), "Block"));
    }
    assert.equal(connection.closeReason, "pending-overflow");
    const close = transport.records().find((r) => r.type === 7);
    assert.match(
      String(close?.error),
      /more than 200 bytes of invocations waiting to run/,
    );
    const [overflow] = h.events("connection.pending_overflow");
    assert.ok(Number(overflow.fields?.waiting) >= 1, "calls were waiting");
    await settle();
    assert.equal(connection.state, "closed");
    assert.ok(h.counters.messagesDropped >= 2, "the waiting calls count");
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: unknown methods and wrong argument counts answer errors, the connection stays", async () => {
  const hub = defineHub({
    methods: {
      Add: (_ctx, a: number, b: number) => a + b,
      Fail(_ctx) {
        throw new HubError("Not today");
      },
    },
  });
  const h = new HandlerHarness(hub);
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.send(
      call("1", "Nope"),
      call("2", "Add", 1),
      call("3", "add", 2, 3),
      call("4", "Fail"),
    );
    await settle();
    const answers = completions(transport.records());
    assert.deepEqual(answers.map((a) => a.invocationId), ["1", "2", "3", "4"]);
    assert.equal(answers[0].error, "Unknown hub method 'Nope'");
    assert.equal(
      answers[1].error,
      "Failed to invoke 'Add' due to an error on the server. " +
        "InvalidDataException: Invocation provides 1 argument(s) but " +
        "target expects 2.",
    );
    assert.equal(answers[2].result, 5, "names match case-insensitively");
    assert.equal(
      answers[3].error,
      "An unexpected error occurred invoking 'Fail' on the server. " +
        "HubException: Not today",
    );
    assert.equal(connection.state, "open");
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: a non-blocking call gets no completion", async () => {
  const seen: number[] = [];
  const hub = defineHub({
    methods: { Tell: (_ctx, n: number) => void seen.push(n) },
  });
  const h = new HandlerHarness(hub);
  try {
    const { transport } = h.connect();
    await settle();
    transport.send({ type: 1, target: "Tell", arguments: [7] });
    await settle();
    assert.deepEqual(seen, [7]);
    assert.equal(completions(transport.records()).length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: a closed connection's waiting calls are dropped, never run", async () => {
  const ran: number[] = [];
  let release = () => {};
  const hub = defineHub({
    methods: {
      async Step(_ctx, n: number) {
        ran.push(n);
        if (n === 1) await new Promise<void>((r) => release = r);
      },
    },
  });
  const h = new HandlerHarness(hub);
  try {
    const { connection, transport } = h.connect();
    await settle();
    transport.send(call("1", "Step", 1), call("2", "Step", 2));
    await settle();
    transport.hangUp();
    await settle();
    release();
    await settle();
    assert.deepEqual(ran, [1]);
    assert.equal(connection.state, "closed");
    assert.equal(h.dispatcher.running(connection), 0);
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: a stream refused for a duplicate id frees the uploads it opened", async () => {
  const hub = defineHub({
    methods: {
      async *Ticks(ctx) {
        while (!ctx.signal.aborted) {
          yield 1;
          await new Promise((r) => setTimeout(r, 5));
        }
      },
      async *Echo(_ctx, items: AsyncIterable<number>) {
        for await (const item of items) yield item;
      },
    },
  });
  const h = new HandlerHarness(hub, { maxStreamsPerConnection: 3 });
  const stream = (id: string, target: string, streamIds?: string[]) => ({
    type: 4,
    invocationId: id,
    target,
    arguments: [],
    ...(streamIds ? { streamIds } : {}),
  });
  try {
    const { transport } = h.connect();
    await settle();
    transport.send(stream("s1", "Ticks"));
    await settle();
    // Same id as the running stream, with an upload: refused.
    transport.send(stream("s1", "Echo", ["u1"]));
    await settle();
    const errors = () =>
      completions(transport.records()).map((c) => String(c.error ?? ""));
    assert.match(errors().join("\n"), /'s1' is already in use/);
    // Only s1 is open again: two more fit under the cap of three.
    transport.send(stream("s2", "Ticks"), stream("s3", "Ticks"));
    await settle();
    assert.doesNotMatch(errors().join("\n"), /at most 3 open streams/);
    const cancel = (id: string) => ({ type: 5, invocationId: id });
    transport.send(cancel("s1"), cancel("s2"), cancel("s3"));
    await settle();
  } finally {
    await h.close();
  }
});

Deno.test("dispatcher: a method failing because its client did not answer logs a warning, other failures an error", async () => {
  const hub = defineHub({
    methods: {
      Ask() {
        throw new ClientResultError("timeout", "The client did not answer");
      },
      Broken() {
        throw new Error("bug");
      },
    },
  });
  const h = new HandlerHarness(hub);
  try {
    const { transport } = h.connect();
    await settle();
    transport.send(call("1", "Ask"), call("2", "Broken"));
    await settle();
    assert.deepEqual(
      h.events("hub.method_failed").map((e) => [e.fields?.method, e.level]),
      [["Ask", "warn"], ["Broken", "error"]],
    );
    // Neither declares the context: both take no arguments.
    assert.doesNotMatch(
      JSON.stringify(completions(transport.records())),
      /expects -1/,
    );
  } finally {
    await h.close();
  }
});
