/**
 * The chart hub: the methods and events of the ASP.NET Core SignalR chart
 * article, so its Angular client works unchanged. Names are the public
 * contract (design.md).
 *
 * @module
 */

import { defineHub, HubError } from "../hub/mod.ts";
import { parseChartData } from "./chart_data.ts";

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new HubError(`${what} must be a string`);
  return value;
}

/** The hub mounted at `/chart`. */
export const chartHub = defineHub({
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
        `${ctx.connectionId} has joined the group ${group}.`,
      );
    },
  },
});
