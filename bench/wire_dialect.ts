/**
 * The three wire dialects the load generator speaks, one per target. Every
 * workload payload is a marker `@<seq>:<epoch µs>@` inside a string
 * argument, so one byte scanner finds deliveries in all three dialects
 * (and several per frame when a server coalesces messages).
 *
 * - `raw`: the raw Deno server; `b`/`e` prefix + the exact SignalR bytes a hub would send.
 * - `signalr`: SignalR JSON over WebSockets without negotiate (skipNegotiation).
 * - `socketio`: engine.io v4 + socket.io packets (`40`, `42[...]`, acks `43<id>[...]`, ping `2`→`3`).
 *
 * @module
 */

/** Names of the dialects, one per target. */
export type DialectName = "raw" | "signalr" | "socketio";

/** What a frame received before the session is ready means. */
export type Hello = "ready" | "wait" | "fail";

/** How to talk to one kind of target. */
export interface Dialect {
  /** Request path (with query) of the WebSocket upgrade. */
  readonly path: string;
  /** Sent right after the upgrade, or null. */
  readonly greeting: string | null;
  /** True when the session is usable right after the upgrade. */
  readonly readyOnOpen: boolean;
  /** Classifies a frame received before ready; `reply` is sent back if set. */
  hello(
    bytes: Uint8Array,
    start: number,
    end: number,
  ): { state: Hello; reply?: string };
  /** The reply to a keep-alive frame from the server, or null if it is not one. */
  pingReply(bytes: Uint8Array, start: number, end: number): string | null;
  /** A message sent periodically by each client to stay alive, or null. */
  readonly keepAlive: string | null;
  /** What the driver sends to make the target deliver `marker` to everyone. */
  broadcast(marker: string): string;
  /** A request whose answer carrying `marker` goes to the caller only. */
  request(id: number, marker: string): string;
}

const RS = "\x1e";

const raw: Dialect = {
  path: "/",
  greeting: null,
  readyOnOpen: true,
  hello: () => ({ state: "ready" }),
  pingReply: () => null,
  keepAlive: null,
  broadcast: (marker) =>
    `b{"type":1,"target":"tick","arguments":["${marker}"]}${RS}`,
  request: (id, marker) =>
    `e{"type":3,"invocationId":"${id}","result":"${marker}"}${RS}`,
};

const signalr: Dialect = {
  path: "/hub",
  greeting: `{"protocol":"json","version":1}${RS}`,
  readyOnOpen: false,
  hello(bytes, start, end) {
    // The handshake reply is `{}` + RS; an error reply is `{"error":...}`.
    if (end - start >= 2 && bytes[start] === 123 && bytes[start + 1] === 125) {
      return { state: "ready" };
    }
    return { state: "fail" };
  },
  pingReply: () => null,
  // The server closes clients silent for 30 s; the JS client pings every 15 s.
  keepAlive: `{"type":6}${RS}`,
  broadcast: (marker) =>
    `{"type":1,"target":"Broadcast","arguments":["${marker}"]}${RS}`,
  request: (id, marker) =>
    `{"type":1,"invocationId":"${id}","target":"Echo","arguments":["${marker}"]}${RS}`,
};

const socketio: Dialect = {
  path: "/socket.io/?EIO=4&transport=websocket",
  greeting: null,
  readyOnOpen: false,
  hello(bytes, start, end) {
    // engine.io open `0{...}` → join the default namespace with `40`.
    if (bytes[start] === 48) return { state: "wait", reply: "40" };
    if (end - start >= 2 && bytes[start] === 52 && bytes[start + 1] === 48) {
      return { state: "ready" };
    }
    if (bytes[start] === 50) return { state: "wait", reply: "3" };
    return { state: "fail" };
  },
  pingReply: (bytes, start, end) =>
    end - start === 1 && bytes[start] === 50 ? "3" : null,
  keepAlive: null,
  broadcast: (marker) => `42["bcast","${marker}"]`,
  request: (id, marker) => `42${id}["echo","${marker}"]`,
};

/** The dialect called `name`. */
export function dialect(name: DialectName): Dialect {
  return { raw, signalr, socketio }[name];
}

/** Current time in epoch microseconds, comparable across local processes. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The payload marker for broadcast `seq` sent at `micros`. */
export function marker(seq: number, micros: number): string {
  return `@${seq}:${micros}@`;
}

/** Receives each marker found in a frame. */
export interface MarkerSink {
  /** One delivery of broadcast or request `seq`, stamped `micros`. */
  onMarker(seq: number, micros: number): void;
}

/** Finds every marker in `bytes[start, end)`; returns how many it found. */
export function scanMarkers(
  bytes: Uint8Array,
  start: number,
  end: number,
  sink: MarkerSink,
): number {
  let found = 0;
  let i = start;
  while (i < end) {
    if (bytes[i++] !== 64) continue;
    let seq = 0;
    let c = bytes[i];
    while (c >= 48 && c <= 57) {
      seq = seq * 10 + c - 48;
      c = bytes[++i];
    }
    if (c !== 58) continue;
    let micros = 0;
    c = bytes[++i];
    while (c >= 48 && c <= 57) {
      micros = micros * 10 + c - 48;
      c = bytes[++i];
    }
    if (c !== 64) continue;
    i++;
    found++;
    sink.onMarker(seq, micros);
  }
  return found;
}
