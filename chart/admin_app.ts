/**
 * The admin side of the app: the admin hub at `/admin-hub` over this
 * process's chart hub, and its once-a-second feed. `ADMIN_USERS` names the
 * usernames allowed in (comma-separated); unset, nobody is.
 *
 * @module
 */

import {
  type Authenticate,
  HubServer,
  type Logger,
  parseAllowedOrigins,
} from "../hub/mod.ts";
import { AdminFeed } from "./admin_feed.ts";
import { adminHub, parseAdminUsers } from "./admin_hub.ts";

/** A running admin hub. */
export interface AdminApp {
  readonly hub: HubServer;
  /** Who may open `/admin` and connect to `/admin-hub`. */
  readonly admins: ReadonlySet<string>;
  close(): Promise<void>;
}

/** Starts the admin hub and feed for `chart`. */
export async function startAdminApp(options: {
  readonly chart: HubServer;
  readonly authenticate: Authenticate;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}): Promise<AdminApp> {
  const { chart, env } = options;
  const admins = parseAdminUsers(env.ADMIN_USERS);
  const feed = new AdminFeed(chart);
  const hub = new HubServer(adminHub({ chart, feed, admins }), {
    path: "/admin-hub",
    logger: options.logger,
    authenticate: options.authenticate,
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
    // A handful of operators: a small cap, and no stateful replay buffers.
    maxConnections: 100,
    statefulReconnect: false,
  });
  await hub.start();
  const stop = feed.start(hub.localClients, () => hub.health().connections > 0);
  return {
    hub,
    admins,
    async close() {
      stop();
      await hub.shutdown();
    },
  };
}
