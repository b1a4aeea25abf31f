/**
 * The chart article's scenario with the official client, runnable from
 * Deno tests, from the Deno 2.5 smoke run in .ci/run, and under Node
 * (bundled): two clients, each learns its id, a private reply reaches
 * only the caller, and the live feed flows.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";

function next<T>(c: signalR.HubConnection, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event}`)), 5_000);
    c.on(event, (value: T) => {
      clearTimeout(timer);
      c.off(event);
      resolve(value);
    });
  });
}

/** Runs the scenario against `${baseUrl}/chart`; throws on any deviation. */
export async function runArticleScenario(baseUrl: string): Promise<string> {
  const build = () =>
    new signalR.HubConnectionBuilder()
      .withUrl(`${baseUrl}/chart`)
      .configureLogging(signalR.LogLevel.None)
      .build();
  const a = build();
  const b = build();
  await a.start();
  await b.start();
  try {
    const idA = await a.invoke<string>("GetConnectionId");
    if (idA !== a.connectionId) throw new Error("GetConnectionId mismatch");
    let leaked = false;
    b.on("broadcastchartdata", () => {
      leaked = true;
    });
    const feed = await next<{ label: string }[]>(a, "transferchartdata");
    if (feed.length !== 4 || feed[0].label !== "Data1") {
      throw new Error(`unexpected feed ${JSON.stringify(feed)}`);
    }
    const mine = [{ data: [5, 6], label: "Mine" }];
    const reply = next<typeof mine>(a, "broadcastchartdata");
    await a.invoke("BroadcastChartData", mine, idA);
    if (JSON.stringify(await reply) !== JSON.stringify(mine)) {
      throw new Error("private reply differs");
    }
    await next(b, "transferchartdata");
    if (leaked) throw new Error("the other client saw the private reply");
    return idA;
  } finally {
    await a.stop();
    await b.stop();
  }
}
