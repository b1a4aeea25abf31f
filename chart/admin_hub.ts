/**
 * The admin hub at `/admin-hub`: only users named in `ADMIN_USERS` may
 * connect (401 anonymous, 403 others, at negotiate and on every transport
 * request), and every method checks again, so a connection keeps no power
 * its user lost. It reads and acts on the chart hub of the same process.
 *
 * @module
 */

import {
  authorized,
  type AuthorizeRule,
  defineHub,
  HubError,
  type HubServer,
} from "../hub/mod.ts";
import type {
  AdminClient,
  AdminConnection,
  AdminServer,
} from "./admin_contract.ts";
import type { AdminFeed } from "./admin_feed.ts";

/** What the admin hub works on. */
export interface AdminHubOptions {
  /** The chart hub of this process. */
  readonly chart: HubServer;
  readonly feed: AdminFeed;
  /** Usernames allowed in; read at every check, so it may change. */
  readonly admins: ReadonlySet<string>;
}

/** Parses `ADMIN_USERS` ("alice, bob"): trimmed, empty names dropped. */
export function parseAdminUsers(value: string | undefined): Set<string> {
  return new Set(
    (value ?? "").split(",").map((name) => name.trim()).filter(Boolean),
  );
}

function connectionId(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 100) {
    throw new HubError("The connection id must be a non-empty string");
  }
  return value;
}

/** The admin hub over `options.chart`. */
export function adminHub({ chart, feed, admins }: AdminHubOptions) {
  const rule: AuthorizeRule = { policy: (p) => admins.has(p.userId) };
  return defineHub<AdminServer, AdminClient>({
    authorize: rule,
    methods: {
      GetHistory: authorized(rule, (_ctx) => feed.history()),
      LookupConnection: authorized(
        rule,
        (_ctx, id: unknown): AdminConnection | null => {
          const info = chart.admin.inspect(connectionId(id));
          if (!info) return null;
          const { createdAt: _, ...shown } = info;
          return shown;
        },
      ),
      Disconnect: authorized(
        rule,
        (_ctx, id: unknown) => chart.admin.disconnect(connectionId(id)),
      ),
    },
  });
}
