/**
 * The negotiate answer: a public connection id, a secret token (version
 * 1), and the transports this hub offers in preference order.
 *
 * @module
 */

import type { HubProtocol, TransferFormat } from "./protocol/hub_protocol.ts";
import type { TransportName } from "./transports/transport.ts";
import { queryValue } from "./query_value.ts";

/** One offered transport and the formats it carries. */
export interface AvailableTransport {
  readonly transport: TransportName;
  readonly transferFormats: readonly TransferFormat[];
}

/** The JSON body of a successful negotiate. */
export interface NegotiateResponse {
  readonly connectionId: string;
  readonly connectionToken?: string;
  readonly negotiateVersion: number;
  readonly availableTransports: readonly AvailableTransport[];
  readonly useStatefulReconnect?: boolean;
}

/** An integer as .NET's `int.TryParse` reads one (sign, 32 bits). */
const INTEGER = /^\s*[+-]?\d{1,10}\s*$/;

/**
 * The version to answer with, or the error text ASP.NET answers with. A
 * missing query means version 0; one above `negotiateVersion` is lowered
 * to it; one below `minNegotiateVersion` is refused.
 */
export function negotiatedVersion(
  url: URL,
  versions: { minNegotiateVersion: number; negotiateVersion: number },
): number | string {
  const query = queryValue(url, "negotiateVersion");
  const asked = query === null ? 0 : Number(query);
  if (query !== null && (!INTEGER.test(query) || !(asked < 2 ** 31))) {
    return "The client requested a non-integer protocol version.";
  }
  if (asked < versions.minNegotiateVersion) {
    return `The client requested version '${asked}', but the server does not support this version.`;
  }
  return Math.min(asked, versions.negotiateVersion);
}

/** The offered transports as JSON, written once per list. */
const transportsJson = new WeakMap<readonly AvailableTransport[], string>();

/**
 * The negotiate answer as `Response.json(body)` would write it (same
 * keys, order and content type), with `useStatefulReconnect: true` added
 * when `stateful`. Written by concatenation: the transport list is the
 * same for every negotiate, and serializing the whole body each time was
 * a measurable share of a connect.
 */
export function negotiateResponse(
  version: number,
  ids: { id: string; token: string },
  transports: readonly AvailableTransport[],
  stateful = false,
): Response {
  let listed = transportsJson.get(transports);
  if (listed === undefined) {
    listed = JSON.stringify(transports);
    transportsJson.set(transports, listed);
  }
  let text = `{"connectionId":${JSON.stringify(ids.id)}`;
  if (version !== 0) {
    text += `,"connectionToken":${JSON.stringify(ids.token)}`;
  }
  text += `,"negotiateVersion":${version},"availableTransports":${listed}`;
  if (stateful) text += `,"useStatefulReconnect":true`;
  return new Response(text + "}", {
    headers: { "content-type": "application/json" },
  });
}

/**
 * What negotiate lists, in the server's order of preference: every
 * transport with the formats the offered protocols need. SSE carries text
 * only, so it is left out when no text protocol is offered.
 */
export function offeredTransports(
  transports: readonly TransportName[],
  protocols: readonly HubProtocol[],
): AvailableTransport[] {
  const text = protocols.some((p) => p.transferFormat === "Text");
  const formats = protocols.some((p) => p.transferFormat === "Binary")
    ? (text ? ["Text", "Binary"] as const : ["Binary"] as const)
    : ["Text"] as const;
  return transports.flatMap((transport): AvailableTransport[] =>
    transport !== "ServerSentEvents"
      ? [{ transport, transferFormats: formats }]
      : text
      ? [{ transport, transferFormats: ["Text"] as const }]
      : []
  );
}
