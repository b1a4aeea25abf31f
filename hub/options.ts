/**
 * Every option and limit of a hub, in one place, each with its default and
 * why. A field left out means the default below.
 *
 * @module
 */

import { definedFields } from "./defined_fields.ts";
import type { Backplane } from "./backplane/backplane.ts";
import type { HubProtocol } from "./protocol/hub_protocol.ts";
import type { Logger } from "./logger.ts";
import type { TransportName } from "./transports/transport.ts";
import type { HubFilter } from "./hub_filters.ts";
import type { Principal } from "./principal.ts";

export type { Principal } from "./principal.ts";

/**
 * Decides who a request is. `null` lets the request in anonymously; `false`
 * refuses it with 401. It runs at negotiate and again on each transport
 * request, which must name the same user.
 */
export type Authenticate = (
  request: Request,
) => Principal | null | false | Promise<Principal | null | false>;

/** Options of a hub server; every field has a default. */
export interface HubOptions {
  /** Wire protocols offered. Default: JSON only (MessagePack is opt-in). */
  protocols?: HubProtocol[];
  /**
   * Transports offered at negotiate, in the client's order of preference.
   * Default all three: WebSockets, then Server-Sent Events (text only) and
   * long polling for networks that block WebSockets.
   */
  transports?: readonly TransportName[];
  /**
   * How long a long poll waits for data before answering 200 empty.
   * Default 90 s, as ASP.NET; the client's poll request times out at
   * 100 s, so larger values are lowered to 95 s.
   */
  pollTimeoutMs?: number;
  /**
   * A long-polling connection with no poll for this long is dropped.
   * Default 5 s, as ASP.NET: the client re-polls at once, so a gap this
   * long means it is gone.
   */
  longPollInactivityMs?: number;
  /** Cross-process delivery. Default: a private in-memory backplane. */
  backplane?: Backplane;
  /** See `Authenticate`. Default: everyone is anonymous. */
  authenticate?: Authenticate;
  /**
   * The claim `authorize` rules read roles from (a string or an array of
   * strings). Default `roles`, the claim most identity providers and
   * this app's own tokens use.
   */
  rolesClaim?: string;
  /**
   * Server-wide hub filters: they wrap every call and lifetime hook,
   * outside the hub's own filters, in order. Default none.
   */
  filters?: readonly HubFilter[];
  /**
   * Browser origins allowed besides the server's own. Default: none, which
   * closes cross-site WebSocket hijacking; requests without `Origin` (non-
   * browser clients) are always allowed.
   */
  allowedOrigins?: readonly string[];
  /** Named-event logger. Default: JSON lines on stderr at "info". */
  logger?: Logger;
  /** Highest negotiate version answered (0 or 1). Default 1, as ASP.NET. */
  negotiateVersion?: number;
  /**
   * Lowest negotiate version accepted; older clients get ASP.NET's error
   * text. Default 1: every official client since 3.0 sends 1, and in
   * version 0 the secret connection token is the public connection id, so
   * anyone who learns the id (a hub may announce it) can use the
   * connection. At 0, version-0 connections are still never offered
   * stateful reconnect, which would let a second socket take them over.
   */
  minNegotiateVersion?: number;
  /** Ping interval while the line is idle. Default 15 s, as ASP.NET. */
  keepAliveIntervalMs?: number;
  /** Close a client silent this long. Default 30 s (2× the client's ping). */
  clientTimeoutMs?: number;
  /** Time from transport open to handshake. Default 15 s, as ASP.NET. */
  handshakeTimeoutMs?: number;
  /** Time from negotiate to transport. Default 15 s; then the id expires. */
  negotiateTimeoutMs?: number;
  /**
   * Largest incoming message. Default 64 KiB: the largest valid chart
   * payload (16 series × 1,000 numbers) fits; ASP.NET's 32 KB would not.
   * Larger closes the connection with an error.
   */
  maxMessageSize?: number;
  /**
   * Bytes a connection may have queued (ours plus the socket's buffer)
   * before it counts as a slow consumer and is closed with a reconnect-
   * allowed Close. Default 1 MiB: seconds of chart data, yet 10,000 stuck
   * clients stay under 10 GiB worst case.
   */
  maxQueuedBytes?: number;
  /**
   * Invocations running at once per connection. Default 1, as ASP.NET, so
   * completions come back in call order.
   */
  maxParallelInvocations?: number;
  /**
   * Bytes of invocations one connection may have waiting behind the
   * running ones (each counted at its share of the frame it came in).
   * Default 1 MiB: a burst of thousands of small fire-and-forget calls is
   * carried out whole and in order, as ASP.NET does, and 16 calls of the
   * largest message size fit. Past it the connection is closed with an
   * error that says so; no call is dropped quietly. `messagesPerSecond`
   * stays the guard against a sustained flood.
   */
  maxPendingInvocationBytes?: number;
  /** Groups one connection may be in. Default 100; more is a hub error. */
  maxGroupsPerConnection?: number;
  /**
   * How long a group change for a connection held by another process
   * waits for that process's answer. Default 2 s; past it the change is
   * given up quietly, as ASP.NET does, since an unknown connection id (one
   * that already left) gets no answer at all.
   */
  groupAckTimeoutMs?: number;
  /**
   * Group changes for connections held by other processes that may wait
   * for their answer at once. Default 10,000: each entry is a timer and a
   * closure, so this bounds memory when a hub method adds many remote
   * connections in a burst; past it a change rejects with a `RangeError`
   * at once instead of queueing. At least 1.
   */
  maxPendingGroupChanges?: number;
  /**
   * How long `shutdown()` waits for clients to take their Close and go.
   * Default 3 s: Deno Deploy sends SIGINT and kills the process 5 s later,
   * and the rest of the exit (HTTP requests in flight) needs the margin.
   */
  shutdownDrainMs?: number;
  /**
   * How long a connection that was told to close may keep its transport
   * before it is cleaned up anyway. Default 5 s: a socket whose peer
   * vanished without a FIN never reports its close, and until cleanup the
   * connection still counts against every cap.
   */
  closingGraceMs?: number;
  /** Longest group name in UTF-16 units. Default 256. */
  maxGroupNameLength?: number;
  /** Open connections on this node. Default 20,000; beyond it 503. */
  maxConnections?: number;
  /**
   * Connections one user may hold on this node (tabs, devices), counted
   * from negotiate (or a socket without negotiate) until cleanup, so
   * connections still opening count too. Default 100; beyond it negotiate
   * and a socket without negotiate answer 429, so one leaked token cannot
   * take the node's whole capacity. 0 means no limit.
   */
  maxConnectionsPerUser?: number;
  /**
   * Open connections one client address may hold on this node. Default
   * 1,000: far above any household or office NAT, yet one host cannot take
   * the node. Beyond it negotiate and upgrade answer 429. Behind a reverse
   * proxy every client shares the proxy's address: raise it or set 0 (off).
   */
  maxConnectionsPerAddress?: number;
  /**
   * Hub messages (pings and acks included) one connection may send per
   * second, as a bucket holding one second's worth. Default 1,000: a chart
   * client sends about one a second, so honest clients and benchmarks never
   * meet it, while one socket cannot eat a core. Beyond it the connection is
   * closed with an error and no reconnect hint (a flood would come back). 0
   * means no limit.
   */
  messagesPerSecond?: number;
  /**
   * WebSocket frames or HTTP body chunks one connection may send per
   * second, as a bucket holding one second's worth; empty frames count.
   * Default 1,000: the official client sends one message per frame, so
   * this matches `messagesPerSecond`, yet a flood of empty or 1-byte frames
   * (which complete no message, and cost the server per frame) is closed
   * within a second. Beyond it the connection is closed with an error and
   * no reconnect hint. 0 means no limit.
   */
  framesPerSecond?: number;
  /**
   * Bytes one connection may send per second, as a bucket holding one
   * second's worth (and never less than one `maxMessageSize` message).
   * Default 4 MiB: 64 messages of the largest size a second, while a chart
   * client sends a few hundred bytes; it bounds the decoding work one
   * socket can ask for. Raise it for hubs taking large uploads. Beyond it
   * the connection is closed with an error. 0 means no limit.
   */
  bytesPerSecond?: number;
  /**
   * Offer stateful reconnect to clients that ask (`withStatefulReconnect()`).
   * Default true: the client opts in, so offering costs nothing to others,
   * and it is what keeps the connection id, groups and every message across
   * a transport drop.
   */
  statefulReconnect?: boolean;
  /**
   * Unacked bytes kept per stateful connection for replay. Default 100,000,
   * as ASP.NET and the JS client. A broadcast cannot wait for one client, so
   * when the buffer is full the connection is closed as a slow consumer
   * (reconnect allowed; the client comes back as a new connection). The
   * client Acks about once a second, so a stateful connection sustains
   * about this many bytes per second; raise it for heavier hubs.
   */
  statefulReconnectBufferBytes?: number;
  /**
   * How long a stateful connection whose socket dropped waits for the client
   * to come back with the same token. Default 15 s: the JS client retries
   * at once, and a phone switching networks comes back within seconds.
   * Then the connection ends for good (groups left, onDisconnected runs).
   */
  statefulReconnectWindowMs?: number;
  /**
   * The oldest unacked message may be this old before the client counts as
   * stuck and is closed as a slow consumer. Default 30 s (the client
   * timeout): a live client Acks within about a second.
   */
  statefulReconnectAckTimeoutMs?: number;
  /** Put exception text in errors sent to clients. Default false. */
  detailedErrors?: boolean;
  /**
   * Streams open at once per connection, server-to-client streams and
   * client uploads counted together. Default 10: each holds an iterator
   * and a buffer; a call that would open more gets an error completion.
   */
  maxStreamsPerConnection?: number;
  /**
   * Upload items buffered per stream before the hub method reads them.
   * Default 100 (at most 6.4 MiB at the 64 KiB message limit). A
   * WebSocket cannot push back on the sender, so past it the upload fails:
   * the method's loop throws and later items are dropped.
   */
  maxBufferedUploadItems?: number;
  /**
   * How long `invoke()` on a client waits for its answer. Default 30 s:
   * long enough for a person to answer a prompt, short enough that a
   * method waiting on a stuck client frees its connection's queue.
   */
  clientResultTimeoutMs?: number;
  /**
   * Client-result calls awaiting an answer on this node. Default 10,000;
   * beyond it `invoke()` rejects at once rather than grow the table.
   */
  maxPendingClientResults?: number;
  /**
   * How long other nodes trust this node's published group membership
   * (`server.presence`). Default 10 s. The node republishes all of it every
   * half TTL and receivers drop what was not refreshed within a TTL, so a
   * node killed without a word leaves every count within 2 × TTL; lower it
   * for faster cleanup at the cost of more (small) backplane messages.
   */
  presenceTtlMs?: number;
  /**
   * Membership changes are gathered this long before one message tells the
   * other nodes. Default 500 ms: other nodes' counts lag by about that, and
   * a node sends at most two change messages a second however busy.
   */
  presenceUpdateMs?: number;
  /**
   * Signed-in users listed per group by `server.presence.group()`. Default
   * 1,000; beyond it the list is cut (the connection count stays exact),
   * which bounds every presence message and table.
   */
  maxPresenceUsersListed?: number;
  /**
   * (group, node) pairs kept from other nodes' presence. Default 100,000
   * (a few tens of MB at worst); entries for new groups beyond it are
   * dropped, logged once, and counted as absent.
   */
  maxPresenceEntries?: number;
}

/** Options with every default filled in. */
export type ResolvedHubOptions =
  & Required<
    Omit<HubOptions, "backplane" | "logger" | "authenticate">
  >
  & Pick<HubOptions, "backplane" | "logger" | "authenticate">;

/** The defaults, exported so docs and tests quote one source. */
export const defaultHubOptions = {
  negotiateVersion: 1,
  minNegotiateVersion: 1,
  keepAliveIntervalMs: 15_000,
  clientTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
  negotiateTimeoutMs: 15_000,
  transports: ["WebSockets", "ServerSentEvents", "LongPolling"],
  pollTimeoutMs: 90_000,
  longPollInactivityMs: 5_000,
  maxMessageSize: 64 * 1024,
  maxQueuedBytes: 1024 * 1024,
  maxParallelInvocations: 1,
  maxPendingInvocationBytes: 1024 * 1024,
  maxGroupsPerConnection: 100,
  groupAckTimeoutMs: 2_000,
  maxPendingGroupChanges: 10_000,
  shutdownDrainMs: 3_000,
  closingGraceMs: 5_000,
  maxGroupNameLength: 256,
  maxConnections: 20_000,
  maxConnectionsPerUser: 100,
  maxConnectionsPerAddress: 1_000,
  messagesPerSecond: 1_000,
  framesPerSecond: 1_000,
  bytesPerSecond: 4 * 1024 * 1024,
  statefulReconnect: true,
  statefulReconnectBufferBytes: 100_000,
  statefulReconnectWindowMs: 15_000,
  statefulReconnectAckTimeoutMs: 30_000,
  detailedErrors: false,
  maxStreamsPerConnection: 10,
  maxBufferedUploadItems: 100,
  clientResultTimeoutMs: 30_000,
  maxPendingClientResults: 10_000,
  presenceTtlMs: 10_000,
  presenceUpdateMs: 500,
  maxPresenceUsersListed: 1_000,
  maxPresenceEntries: 100_000,
  rolesClaim: "roles",
  filters: [],
} as const;

/**
 * Fills every option left out (or set to `undefined`) with its default.
 * `protocols` defaults to what the caller passes: options.ts stays free of
 * protocol implementations.
 */
export function resolveHubOptions(
  options: HubOptions,
  defaultProtocols: HubProtocol[],
): ResolvedHubOptions {
  const given = definedFields(options);
  return {
    ...defaultHubOptions,
    protocols: defaultProtocols,
    allowedOrigins: [],
    ...given,
  } as ResolvedHubOptions;
}
