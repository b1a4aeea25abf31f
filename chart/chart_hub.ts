/**
 * The chart hub: the methods and events of the ASP.NET Core SignalR chart
 * article, so its Angular client works unchanged. Names are the public
 * contract of the app (README, The contract).
 *
 * @module
 */

import { defineHub, type HubDefinition, HubError } from "../hub/mod.ts";
import { parseChartData } from "./chart_data.ts";
import {
  type ChartClient,
  type ChartPoint,
  type ChartServer,
  MAX_HISTORY_REQUEST,
} from "./chart_contract.ts";
import type { ChartHistory } from "./chart_history.ts";

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new HubError(`${what} must be a string`);
  return value;
}

function requireCount(value: unknown): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > MAX_HISTORY_REQUEST
  ) {
    throw new HubError(
      `The count must be a whole number from 1 to ${MAX_HISTORY_REQUEST}`,
    );
  }
  return value;
}

// The article's group announcement, word for word: both
// BroadcastToGroup and its confirmed variant send it.
function joinedText(connectionId: string, group: string): string {
  return `${connectionId} has joined the group ${group}.`;
}

/** Yields a snapshot taken at call time, so the live feed cannot mix in. */
async function* replay(points: readonly ChartPoint[]) {
  for (const point of points) yield point;
}

/**
 * The hub mounted at `/chart`, checked against `chart_contract.ts`, serving
 * `StreamChartHistory` from `history` (the one its server's feed fills).
 * The parameters stay `unknown` on purpose: the contract types what a well-
 * behaved client sends, and the checks here handle every other client.
 */
export function chartHub(
  history: ChartHistory,
): HubDefinition<ChartServer, ChartClient> {
  return defineHub<ChartServer, ChartClient>({
    // Spans are `ChartHub/<Method>`, as the article's .NET hub class
    // names them.
    name: "ChartHub",
    methods: {
      GetConnectionId(ctx) {
        return ctx.connectionId;
      },
      BroadcastChartData(ctx, data: unknown, connectionId: unknown) {
        const series = parseChartData(data);
        const id = requireString(connectionId, "The connection id");
        return ctx.clients.client(id).send("broadcastchartdata", series);
      },
      BroadcastToConnection(ctx, data: unknown, connectionId: unknown) {
        const text = requireString(data, "The message");
        const id = requireString(connectionId, "The connection id");
        return ctx.clients.client(id).send("broadcasttoclient", text);
      },
      BroadcastToUser(ctx, data: unknown, userId: unknown) {
        if (ctx.userId === null) {
          throw new HubError("Sign in to send messages to a user");
        }
        const text = requireString(data, "The message");
        const user = requireString(userId, "The user id");
        return ctx.clients.user(user).send("broadcasttouser", text);
      },
      AddToGroup(ctx, groupName: unknown) {
        const group = requireString(groupName, "The group name");
        return ctx.groups.add(ctx.connectionId, group);
      },
      RemoveFromGroup(ctx, groupName: unknown) {
        const group = requireString(groupName, "The group name");
        return ctx.groups.remove(ctx.connectionId, group);
      },
      BroadcastToGroup(ctx, groupName: unknown) {
        const group = requireString(groupName, "The group name");
        return ctx.clients.group(group).send(
          "broadcasttogroup",
          joinedText(ctx.connectionId, group),
        );
      },
      GetGroupMembers(ctx, groupName: unknown) {
        return ctx.presence.group(requireString(groupName, "The group name"));
      },
      StreamChartHistory(_ctx, count: unknown) {
        return replay(history.last(requireCount(count)));
      },
      async BroadcastToGroupConfirmed(ctx, groupName: unknown) {
        const group = requireString(groupName, "The group name");
        // A client result from the caller itself: answered outside the
        // invocation queue, so this does not deadlock (see client_results).
        const answer = await ctx.clients.caller.invoke(
          "confirmbroadcast",
          group,
        );
        if (answer !== true) return false;
        await ctx.clients.group(group).send(
          "broadcasttogroup",
          joinedText(ctx.connectionId, group),
        );
        return true;
      },
    },
  });
}
