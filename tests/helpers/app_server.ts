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
import { testLogger } from "./hub_fixture.ts";

/** The real server on loopback; close it in `finally`. */
export function startTestServer(
  options: ServerOptions = {},
): Promise<RunningServer> {
  return startServer({
    hostname: "127.0.0.1",
    port: 0,
    env: {},
    logger: testLogger(),
    ...options,
  });
}
