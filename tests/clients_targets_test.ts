/**
 * Every Clients target, driven by the official client against a hub whose
 * method `Target(kind, arg)` sends "hit" through the named target.
 */
import { assertEquals } from "./helpers/assert.ts";
import { defineHub, type HubContext } from "../hub/mod.ts";
import { serveHub } from "./helpers/hub_fixture.ts";
import { collect, connect, signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";

function proxyFor(ctx: HubContext, kind: string, arg: string[]) {
  const c = ctx.clients;
  switch (kind) {
    case "all":
      return c.all;
    case "caller":
      return c.caller;
    case "others":
      return c.others;
    case "client":
      return c.client(arg[0]);
    case "clients":
      return c.clients(arg);
    case "user":
      return c.user(arg[0]);
    case "users":
      return c.users(arg);
    case "group":
      return c.group(arg[0]);
    case "groups":
      return c.groups(arg);
    case "groupExcept":
      return c.groupExcept(arg[0], arg.slice(1));
    case "othersInGroup":
      return c.othersInGroup(arg[0]);
    case "allExcept":
      return c.allExcept(arg);
  }
  throw new Error(`unknown target ${kind}`);
}

const targetHub = defineHub({
  methods: {
    Target(ctx, kind: string, arg: string[]) {
      return proxyFor(ctx, kind, arg).send("hit", kind);
    },
    Mark(ctx) {
      return ctx.clients.all.send("mark");
    },
    Join(ctx, group: string) {
      return ctx.groups.add(ctx.connectionId, group);
    },
    Leave(ctx, group: string) {
      return ctx.groups.remove(ctx.connectionId, group);
    },
  },
});

Deno.test("clients: every target reaches exactly the connections it names", async () => {
  // Users come from a header the test sets: "x-user: alice".
  const fixture = await serveHub(targetHub, {
    authenticate: (req) => {
      const user = req.headers.get("x-user");
      return user ? { userId: user, claims: { sub: user } } : null;
    },
  });
  const names = ["a1", "a2", "b", "anon"] as const;
  const conns: Record<string, signalR.HubConnection> = {};
  const hits: Record<string, string[]> = {};
  const marks: Record<string, string[]> = {};
  try {
    for (const name of names) {
      const user = name.startsWith("a") && name !== "anon"
        ? "alice"
        : name === "b"
        ? "bob"
        : undefined;
      conns[name] = await connect(fixture.url, "/hub", {
        headers: user ? { "x-user": user } : {},
      });
      hits[name] = collect<string>(conns[name], "hit");
      marks[name] = collect<string>(conns[name], "mark");
    }
    const id = (n: string) => conns[n].connectionId!;
    await conns.a1.invoke("Join", "g");
    await conns.b.invoke("Join", "g");
    await conns.anon.invoke("Join", "h");

    const cases: [string, string, string[], string[]][] = [
      // [caller, kind, arg, expected receivers]
      ["a1", "all", [], ["a1", "a2", "b", "anon"]],
      ["a1", "caller", [], ["a1"]],
      ["a1", "others", [], ["a2", "b", "anon"]],
      ["a1", "client", [id("b")], ["b"]],
      ["a1", "clients", [id("b"), id("anon")], ["b", "anon"]],
      ["b", "user", ["alice"], ["a1", "a2"]],
      ["a1", "users", ["alice", "bob"], ["a1", "a2", "b"]],
      ["anon", "group", ["g"], ["a1", "b"]],
      ["anon", "groups", ["g", "h"], ["a1", "b", "anon"]],
      ["anon", "groupExcept", ["g", id("b")], ["a1"]],
      ["b", "othersInGroup", ["g"], ["a1"]],
      ["a2", "allExcept", [id("a1"), id("anon")], ["a2", "b"]],
    ];
    for (const [caller, kind, arg, expected] of cases) {
      for (const n of names) hits[n].length = marks[n].length = 0;
      await conns[caller].invoke("Target", kind, arg);
      // A marker to everyone, sent after: once it arrives, everything
      // sent before it to the same connection has arrived too.
      await conns[caller].invoke("Mark");
      await waitUntil(
        () => names.every((n) => marks[n].length > 0),
        `marker after ${kind}`,
      );
      const got = names.filter((n) => hits[n].includes(kind)).sort();
      assertEquals(got, [...expected].sort(), `target ${kind}`);
      for (const n of names) {
        assertEquals(
          hits[n].filter((k) => k === kind).length <= 1,
          true,
          `${kind} once at most for ${n}`,
        );
      }
    }
    await conns.a1.invoke("Leave", "g");
    for (const n of names) hits[n].length = marks[n].length = 0;
    await conns.anon.invoke("Target", "group", ["g"]);
    await conns.anon.invoke("Mark");
    await waitUntil(
      () => names.every((n) => marks[n].length > 0),
      "marker after leave",
    );
    assertEquals(names.filter((n) => hits[n].includes("group")), ["b"]);
  } finally {
    for (const c of Object.values(conns)) await c.stop();
    await fixture.close();
  }
});

Deno.test("clients: the server sends from outside a hub method", async () => {
  const fixture = await serveHub(targetHub);
  const a = await connect(fixture.url, "/hub");
  try {
    const seen = collect<string>(a, "tick");
    await fixture.hub.clients.all.send("tick", "from-timer");
    await fixture.hub.groups.add(a.connectionId!, "room");
    await fixture.hub.clients.group("room").send("tick", "to-room");
    await waitUntil(() => seen.length === 2, "two ticks");
    assertEquals(seen, ["from-timer", "to-room"]);
  } finally {
    await a.stop();
    await fixture.close();
  }
});
