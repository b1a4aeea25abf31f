/**
 * The admin hub's contract (`/admin-hub`): what the admin page may call and
 * what it is sent once a second. `chart/admin_hub.ts` implements it with
 * `defineHub<AdminServer, AdminClient>` and islands/admin/use_admin_hub.ts
 * calls it through `typedConnection<AdminServer, AdminClient>`, so a
 * misspelt name or a wrong argument on either side fails `deno check`.
 * Types and constants only (the hub types are imported as types, erased
 * from bundles): safe to import from browser code.
 *
 * @module
 */

import type { ConnectionInfo, HubStats } from "../hub/hub_admin.ts";

/** One second of traffic on the serving process. */
export interface AdminSample {
  /** Epoch ms at the end of the second. */
  readonly at: number;
  /** Hub messages received and sent per second. */
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Connections closed as slow consumers in that second. */
  readonly slowConsumerCloses: number;
}

/** Everything the page shows, pushed once a second. */
export interface AdminSnapshot {
  /** The process the admin page is connected to. */
  readonly node: string;
  /** Chart hub connections by `transport/protocol` on that process. */
  readonly mix: HubStats["mix"];
  /** Every live process with its connections and signed-in users. */
  readonly nodes: HubStats["nodes"];
  /** The largest groups cluster-wide, largest first. */
  readonly groups: readonly { readonly group: string; connections: number }[];
  readonly backplane: HubStats["backplane"];
  readonly sample: AdminSample;
}

/** One chart hub connection of the serving process. */
export type AdminConnection = Omit<ConnectionInfo, "createdAt">;

/** Admin hub methods. */
export interface AdminServer {
  /** The samples of the last `ADMIN_HISTORY_SECONDS`, oldest first. */
  GetHistory(): readonly AdminSample[];
  /** A chart hub connection held by this process, or null. */
  LookupConnection(connectionId: string): AdminConnection | null;
  /**
   * Closes that connection with a Close that lets it reconnect; false if
   * this process does not hold it.
   */
  Disconnect(connectionId: string): boolean;
}

/** Admin hub events. */
export interface AdminClient {
  adminstats(snapshot: AdminSnapshot): void;
}

/** Seconds of history kept and charted (5 minutes). */
export const ADMIN_HISTORY_SECONDS = 300;
/** Groups listed. */
export const ADMIN_TOP_GROUPS = 10;
