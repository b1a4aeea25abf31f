/**
 * The admin page's island: live figures from the admin hub, a 5-minute
 * chart of traffic, and connection lookup and disconnect.
 *
 * @module
 */

import { useRef } from "preact/hooks";
import { useAdminHub } from "./admin/use_admin_hub.ts";
import { AdminTables } from "./admin/AdminTables.tsx";
import { ConnectionLookup } from "./admin/ConnectionLookup.tsx";

/** Props set by the page. */
export interface AdminDashboardProps {
  readonly hubPath: string;
}

/** The admin dashboard island. */
export default function AdminDashboard({ hubPath }: AdminDashboardProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const hub = useAdminHub(hubPath, canvas);
  const snapshot = hub.snapshot.value;
  return (
    <div class="admin-dashboard" data-testid="admin-dashboard">
      <p>
        Admin hub:{" "}
        <span data-testid="admin-state" data-state={hub.state.value}>
          {hub.state.value}
        </span>
      </p>
      <div class="card chart-card">
        <h2>Traffic, last 5 minutes (this process)</h2>
        <div class="chart-box">
          <canvas ref={canvas} aria-label="Messages per second" role="img" />
        </div>
      </div>
      <div class="card">
        {snapshot ? <AdminTables s={snapshot} /> : <p>Waiting for data…</p>}
      </div>
      <div class="card">
        <ConnectionLookup hub={hub} />
      </div>
    </div>
  );
}
