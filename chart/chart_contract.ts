/**
 * The chart hub's contract: every server method a client may call and every
 * event the server sends, in one place. `chart/chart_hub.ts` implements it
 * with `defineHub<ChartServer, ChartClient>` and the islands call it through
 * `typedConnection<ChartServer, ChartClient>`, so a misspelt name or a wrong
 * argument on either side fails `deno check`.
 *
 * Types and plain constants only: safe to import from browser code. The
 * names and limits are the app's public contract (README);
 * `StreamChartHistory` and `BroadcastToGroupConfirmed` add streaming and
 * client results to the article's methods.
 *
 * @module
 */

/** One series as chart.js and the article's Angular client use it. */
export interface WireSeries {
  readonly data: readonly number[];
  readonly label: string;
}

/** One feed update as kept in the history: when it was sent, and what. */
export interface ChartPoint {
  /** Epoch milliseconds when the feed sent it. */
  readonly at: number;
  readonly series: readonly WireSeries[];
}

/**
 * Who is in a group across every server process: connections (anonymous
 * ones included) and the distinct signed-in user ids among them. Eventually
 * consistent: another process's changes arrive within about a second.
 */
export interface GroupMembers {
  readonly connections: number;
  readonly users: readonly string[];
}

/** Hub methods (matched case-insensitively by the server). */
export interface ChartServer {
  /** The caller's connection id. */
  GetConnectionId(): string;
  /** Sends `broadcastchartdata` with `data` to that connection only. */
  BroadcastChartData(data: readonly WireSeries[], connectionId: string): void;
  /** Sends `broadcasttoclient` with the text to that connection. */
  BroadcastToConnection(data: string, connectionId: string): void;
  /** Sends `broadcasttouser` to every connection of a user (signed in). */
  BroadcastToUser(data: string, userId: string): void;
  AddToGroup(groupName: string): void;
  RemoveFromGroup(groupName: string): void;
  /** Sends `broadcasttogroup` "<id> has joined the group <name>." */
  BroadcastToGroup(groupName: string): void;
  /**
   * Streams the last `count` feed updates this server sent, oldest first
   * (1 to `MAX_HISTORY_REQUEST`).
   */
  StreamChartHistory(count: number): AsyncIterable<ChartPoint>;
  /**
   * Asks the caller `confirmbroadcast(groupName)` and broadcasts as
   * `BroadcastToGroup` does only if the answer is `true`; resolves with
   * whether it broadcast.
   */
  BroadcastToGroupConfirmed(groupName: string): boolean;
  /** The group's members on every process (see `GroupMembers`). */
  GetGroupMembers(groupName: string): GroupMembers;
}

/** Events the server sends (client handler names are lower case). */
export interface ChartClient {
  /** The live feed, every second, to every connection. */
  transferchartdata(data: readonly WireSeries[]): void;
  broadcastchartdata(data: readonly WireSeries[]): void;
  broadcasttoclient(text: string): void;
  broadcasttouser(text: string): void;
  broadcasttogroup(text: string): void;
  /** A client result: return true to let the group broadcast go out. */
  confirmbroadcast(groupName: string): boolean;
  /**
   * To a group's members when its members changed, at most once a second
   * per group.
   */
  grouppresence(groupName: string, members: GroupMembers): void;
}

/**
 * Most series in one chart message, and numbers per series: 16 × 1,000
 * small whole numbers, as the feed sends, fit the 64 KiB message limit
 * (longer numbers hit that limit first, which closes the connection). The
 * hub refuses more and the page ignores more.
 */
export const MAX_SERIES = 16;
export const MAX_POINTS = 1_000;
/** Longest series label a client may send. */
export const MAX_LABEL_LENGTH = 100;

/** Most updates one `StreamChartHistory` call may ask for. */
export const MAX_HISTORY_REQUEST = 600;
