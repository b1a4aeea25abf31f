/**
 * The fault hub in a process of its own, for tests that measure the
 * server's CPU time apart from the client's. Run with
 * `deno run -A tests/helpers/fault_hub_process.ts` and `HUB_OPTIONS` (JSON
 * hub options) in the environment; it logs `server.listening` with its
 * URL, as `AppProcess` waits for, and stops on SIGTERM.
 *
 * @module
 */

import { startFaultHub } from "./fault_hub.ts";

const options = JSON.parse(Deno.env.get("HUB_OPTIONS") ?? "{}");
const app = await startFaultHub(options);
// Always printed: the parent waits for this line.
console.error(JSON.stringify({ event: "server.listening", url: app.url }));
Deno.addSignalListener("SIGTERM", async () => {
  await app.close();
  Deno.exit(0);
});
