/**
 * Starts the real app on 127.0.0.1 with a free port for a test, quiet
 * unless TEST_LOG is set.
 *
 * @module
 */

import {
  type RunningServer,
  type ServerOptions,
  startServer,
} from "../../main.ts";
import { consoleLogger, silentLogger } from "../../hub/mod.ts";

/** The real server on loopback; close it in `finally`. */
export function startTestServer(
  options: ServerOptions = {},
): Promise<RunningServer> {
  return startServer({
    hostname: "127.0.0.1",
    port: 0,
    env: {},
    logger: Deno.env.get("TEST_LOG") ? consoleLogger("debug") : silentLogger,
    ...options,
  });
}
