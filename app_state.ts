/**
 * The app's per-server services, handed to every route as `ctx.state`.
 *
 * Kept per server (not module singletons) so tests can run several servers
 * in one process.
 *
 * @module
 */

import type { HubServer } from "./hub/hub_server.ts";
import type { UserServices } from "./accounts/user_services.ts";

/** Services shared by routes and hubs of one running server. */
export interface AppState {
  /** The chart hub mounted at `/chart`. */
  readonly hub: HubServer;
  /** Accounts, tokens and `authenticate` (accounts/user_services.ts). */
  readonly users?: UserServices;
  /** Usernames allowed on `/admin` (`ADMIN_USERS`); none when absent. */
  readonly admins?: ReadonlySet<string>;
}
