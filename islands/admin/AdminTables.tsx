/**
 * The admin page's tables: processes, connections by transport and
 * protocol, the largest groups, and the backplane.
 *
 * @module
 */

import type { AdminSnapshot } from "../../chart/admin_contract.ts";

/** All tables of one snapshot. */
export function AdminTables({ s }: { readonly s: AdminSnapshot }) {
  const total = s.nodes.reduce((n, node) => n + node.connections, 0);
  return (
    <div class="admin-tables">
      <section>
        <h2>
          Processes · <span data-testid="admin-connections">{total}</span>{" "}
          connections
        </h2>
        <table>
          <thead>
            <tr>
              <th>Node</th>
              <th>Connections</th>
              <th>Users</th>
            </tr>
          </thead>
          <tbody>
            {s.nodes.map((n) => (
              <tr key={n.node} data-testid="admin-node">
                <td>
                  <code>{n.node.slice(0, 8)}</code>
                  {n.node === s.node && " (this one)"}
                </td>
                <td>{n.connections}</td>
                <td>{n.users}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>This process by transport</h2>
        <table>
          <tbody>
            {Object.entries(s.mix).map(([kind, n]) => (
              <tr key={kind}>
                <td>{kind}</td>
                <td data-testid={`admin-mix-${kind}`}>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Largest groups</h2>
        <table>
          <tbody>
            {s.groups.map((g) => (
              <tr key={g.group}>
                <td>{g.group}</td>
                <td data-testid="admin-group" data-group={g.group}>
                  {g.connections}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Backplane</h2>
        <p
          data-testid="admin-backplane"
          data-healthy={String(s.backplane.healthy)}
        >
          {s.backplane.name}: {s.backplane.healthy ? "up" : "down"} ·{" "}
          {s.backplane.detail} · {s.backplane.dropped} dropped
        </p>
      </section>
    </div>
  );
}
