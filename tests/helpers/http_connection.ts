/**
 * The official client's `HttpConnection`: the raw connection under a hub
 * connection (negotiate and transports, no hub protocol). The package
 * does not export it, so it is imported from its CommonJS build, typed by
 * the declarations of its ESM build.
 *
 * @module
 */

// @ts-types="@microsoft/signalr/dist/esm/HttpConnection.d.ts"
import { HttpConnection } from "@microsoft/signalr/dist/cjs/HttpConnection.js";
import { signalR } from "./signalr_client.ts";

export { HttpConnection };

/** A raw connection to `url`, quiet; start it with a transfer format. */
export function rawConnection(
  url: string,
  transport: signalR.HttpTransportType,
  options: { accessTokenFactory?: () => string; skipNegotiation?: boolean } =
    {},
): HttpConnection {
  return new HttpConnection(url, {
    transport,
    logger: signalR.LogLevel.None,
    ...options,
  });
}
