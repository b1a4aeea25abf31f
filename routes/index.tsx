/**
 * The chart page: the live chart, groups and direct messages, and sign-in.
 *
 * @module
 */

import LiveChart from "../islands/LiveChart.tsx";
import GroupsPanel from "../islands/GroupsPanel.tsx";
import UserPanel from "../islands/UserPanel.tsx";

/** The chart page. */
export default function Home() {
  return (
    <main class="layout">
      <div class="intro">
        <h1>Live chart</h1>
        <p>
          The server pushes four random series to every open tab each second.
          Click the chart and the server answers this tab alone; open a second
          tab to see the difference.
        </p>
      </div>
      <noscript>
        <p class="card">
          The live chart needs JavaScript; everything else on this page is plain
          HTML.
        </p>
      </noscript>
      <div class="card chart-card">
        <LiveChart hubPath="/chart" windowSize={30} />
      </div>
      <div class="card">
        <GroupsPanel hubPath="/chart" defaultGroup="chart-watchers" />
      </div>
      <div class="card">
        <h2>Users</h2>
        <UserPanel />
      </div>
    </main>
  );
}
