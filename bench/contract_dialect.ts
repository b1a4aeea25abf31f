/**
 * How the public-contract load generator talks to each target: the chart
 * hub's methods (`AddToGroup`, `BroadcastToGroup`, `GetConnectionId`) in
 * SignalR JSON for Switchboard (after negotiate) and the raw Deno server,
 * and as Socket.IO events with acks for Socket.IO. Frames are read as
 * bytes: deliveries and answers are counted by scanning, never decoded.
 *
 * @module
 */

/** The targets of the public-contract workload. */
export type ContractTarget = "raw" | "socketio" | "switchboard";

const RS = "\x1e";
const utf8 = new TextEncoder();
/** The event name every target uses for a group broadcast. */
const BROADCAST = utf8.encode("broadcasttogroup");
/** A SignalR completion record. */
const COMPLETION = utf8.encode('"type":3');

/** One target's wire vocabulary. */
export interface ContractDialect {
  /** The WebSocket path; `token` is the negotiated one (Switchboard only). */
  path(token: string | null): string;
  /** True when a negotiate must come first. */
  readonly negotiates: boolean;
  /** Sent right after the upgrade, or null. */
  readonly greeting: string | null;
  /** A frame before ready: the reply to send, and whether now ready. */
  hello(bytes: Uint8Array, start: number): { ready: boolean; reply?: string };
  /** Sent by every client every 15 s, or null (the server pings instead). */
  readonly keepAlive: string | null;
  /** The answer to a server ping frame, or null if it is not one. */
  pingReply(bytes: Uint8Array, start: number, end: number): string | null;
  /** Joins group `bench`, answered (counted by `answers`). */
  join(id: number): string;
  /** Asks the server to send one message to group `bench`; no answer. */
  readonly broadcast: string;
  /** Asks for the caller's connection id, answered. */
  call(id: number): string;
  /** Answers (completions or acks) in a frame. */
  answers(bytes: Uint8Array, start: number, end: number): number;
}

const signalrCalls = {
  keepAlive: `{"type":6}${RS}`,
  pingReply: () => null,
  join: (id: number) =>
    `{"type":1,"invocationId":"${id}","target":"AddToGroup","arguments":["bench"]}${RS}`,
  broadcast:
    `{"type":1,"target":"BroadcastToGroup","arguments":["bench"]}${RS}`,
  call: (id: number) =>
    `{"type":1,"invocationId":"${id}","target":"GetConnectionId","arguments":[]}${RS}`,
  answers: (bytes: Uint8Array, start: number, end: number) =>
    count(bytes, start, end, COMPLETION),
  greeting: `{"protocol":"json","version":1}${RS}`,
  // The handshake answer is `{}` + RS; an error is `{"error":...}`.
  hello: (bytes: Uint8Array, start: number) => ({
    ready: bytes[start] === 123 && bytes[start + 1] === 125,
  }),
};

const DIALECTS: Record<ContractTarget, ContractDialect> = {
  switchboard: {
    ...signalrCalls,
    negotiates: true,
    path: (token) => `/chart?id=${encodeURIComponent(token!)}`,
  },
  raw: { ...signalrCalls, negotiates: false, path: () => "/raw" },
  socketio: {
    negotiates: false,
    path: () => "/socket.io/?EIO=4&transport=websocket",
    greeting: null,
    hello(bytes, start) {
      // engine.io open `0{...}`: join the namespace; `40{...}` is ready.
      if (bytes[start] === 48) return { ready: false, reply: "40" };
      return { ready: bytes[start] === 52 && bytes[start + 1] === 48 };
    },
    keepAlive: null,
    pingReply: (bytes, start, end) =>
      end - start === 1 && bytes[start] === 50 ? "3" : null,
    join: (id) => `42${id}["AddToGroup","bench"]`,
    broadcast: `42["BroadcastToGroup","bench"]`,
    call: (id) => `42${id}["GetConnectionId"]`,
    // An ack is `43<id>[...]`, one per frame.
    answers: (bytes, start) =>
      bytes[start] === 52 && bytes[start + 1] === 51 ? 1 : 0,
  },
};

/** The dialect of `target`. */
export function contractDialect(target: ContractTarget): ContractDialect {
  return DIALECTS[target];
}

/** Group broadcasts in a frame (several when a server joins records). */
export function broadcastsIn(
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  return count(bytes, start, end, BROADCAST);
}

/** Occurrences of `needle` in `bytes[start, end)`. */
export function count(
  bytes: Uint8Array,
  start: number,
  end: number,
  needle: Uint8Array,
): number {
  const first = needle[0];
  const last = end - needle.length;
  let found = 0;
  outer: for (let i = start; i <= last; i++) {
    if (bytes[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) {
      if (bytes[i + j] !== needle[j]) continue outer;
    }
    found++;
    i += needle.length - 1;
  }
  return found;
}
