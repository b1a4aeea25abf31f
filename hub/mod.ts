/**
 * Switchboard: a SignalR-compatible real-time hub for Deno.
 *
 * @example
 * ```ts
 * import { defineHub, HubServer } from "./hub/mod.ts";
 * const hub = defineHub({ methods: { Echo(_ctx, s: string) { return s; } } });
 * const server = new HubServer(hub, { path: "/echo" });
 * await server.start();
 * Deno.serve((req) => server.handle(req));
 * ```
 *
 * @module
 */

export { defineHub } from "./hub_definition.ts";
export type {
  HubContext,
  HubDefinition,
  HubMethods,
  ServerMethods,
} from "./hub_definition.ts";
export { HubServer } from "./hub_server.ts";
export { ConnectionServer } from "./connection_server.ts";
export type {
  ConnectionCallback,
  ConnectionEndpoint,
  RawConnection,
} from "./connection_server.ts";
export { authorized } from "./authorization.ts";
export type { Authorize, AuthorizeRule } from "./authorization.ts";
export type { HubFilter, HubInvocation } from "./hub_filters.ts";
export type { RequestInfo } from "./request_info.ts";
export type { HubHealth, HubServerOptions } from "./hub_server.ts";
export { HubError } from "./hub_error.ts";
export type {
  AnyEvents,
  CallerClients,
  ClientProxy,
  Clients,
  EventsOf,
  Groups,
  SingleClientProxy,
} from "./clients.ts";
export { ClientResultError } from "./client_results.ts";
export type { ClientResultFailure } from "./client_results.ts";
export { typedConnection } from "./typed_connection.ts";
export type {
  CallMethodName,
  ClientArgs,
  StreamMethodName,
  TypedHubConnection,
} from "./typed_connection.ts";
export { defaultHubOptions } from "./options.ts";
export type { Authenticate, HubOptions, Principal } from "./options.ts";
export { jsonProtocol } from "./protocol/json.ts";
export { fromBase64 } from "./protocol/json_values.ts";
export { messagePackProtocol } from "./protocol/messagepack.ts";
export type { HubProtocol } from "./protocol/hub_protocol.ts";
export type { TransportName } from "./transports/transport.ts";
export { MemoryBackplane, MemoryBus } from "./backplane/memory.ts";
export type { Backplane, BackplaneStatus } from "./backplane/backplane.ts";
export type { GroupPresence, Presence, PresenceListener } from "./presence.ts";
export type { NodeTotals } from "./presence_table.ts";
export type { ConnectionInfo, HubAdmin, HubStats } from "./hub_admin.ts";
export { consoleLogger, silentLogger } from "./logger.ts";
export type { Logger, LogLevel } from "./logger.ts";
export { parseAllowedOrigins } from "./origin_policy.ts";
export {
  hostAllowed,
  invalidHostResponse,
  parseAllowedHosts,
} from "./host_policy.ts";
