/**
 * The chart hub's presence: `GetGroupMembers` and the `grouppresence`
 * push, with the official client against the real app in one process.
 */

import assert from "node:assert/strict";
import { startTestServer } from "./helpers/app_server.ts";
import { connect, type signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import type { GroupMembers } from "../chart/chart_contract.ts";

Deno.test("chart presence: members are counted and told of changes, folded to one push a second", async () => {
  const app = await startTestServer();
  const conns: signalR.HubConnection[] = [];
  try {
    const watcher = await connect(app.url);
    conns.push(watcher);
    const pushes: Array<[string, GroupMembers]> = [];
    watcher.on("grouppresence", (group: string, members: GroupMembers) => {
      pushes.push([group, members]);
    });
    await watcher.invoke("AddToGroup", "room");
    const started = Date.now();
    // A burst of five joins and a leave, well within one second.
    const others = await Promise.all(
      [1, 2, 3, 4, 5].map(() => connect(app.url)),
    );
    conns.push(...others);
    await Promise.all(others.map((c) => c.invoke("AddToGroup", "room")));
    await others[0].invoke("RemoveFromGroup", "room");
    assert.deepEqual(await watcher.invoke("GetGroupMembers", "room"), {
      connections: 5,
      users: [],
    });
    await waitUntil(
      () => pushes.at(-1)?.[1].connections === 5,
      "a push with the final count",
    );
    const seconds = (Date.now() - started) / 1_000;
    // Seven changes; at most one push per started second reached us.
    assert.ok(
      pushes.length <= Math.ceil(seconds) + 1,
      `${pushes.length} pushes in ${seconds} s`,
    );
    assert.ok(pushes.every(([group]) => group === "room"));
  } finally {
    await Promise.all(conns.map((c) => c.stop()));
    await app.close();
  }
});

Deno.test("chart presence: a group name that is not a string is refused", async () => {
  const app = await startTestServer();
  const conn = await connect(app.url);
  try {
    await assert.rejects(
      conn.invoke("GetGroupMembers", 42),
      /The group name must be a string/,
    );
    await assert.rejects(conn.invoke("GetGroupMembers"), /argument/i);
  } finally {
    await conn.stop();
    await app.close();
  }
});
