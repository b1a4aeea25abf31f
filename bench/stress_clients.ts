/**
 * Hand-made clients for the stress runner: a well-behaved JSON client
 * that checks every broadcast arrives once and in order, and a reader
 * that never reads (raw TCP, so real socket buffers fill). Speaking the
 * protocol by hand keeps 1,000 clients cheap enough to run beside the hub.
 *
 * @module
 */

import { textFrame } from "./ws_client.ts";

/** The JSON record separator. */
export const RS = "\x1e";
/** A JSON handshake at version 1. */
export const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

/** How long any single wait of a client may take before it is a failure. */
export const CLIENT_WAIT_MS = 15_000;

/** How a client reaches the hub. */
export interface ConnectOptions {
  /** Negotiate first (`?id=`), or open the WebSocket directly. */
  negotiate: boolean;
  /** Ask for stateful reconnect (negotiates, handshakes at version 2). */
  stateful?: boolean;
  /** Join this group once connected. */
  group?: string;
  /** The client was there before the first broadcast: expect it, from 1. */
  fromStart?: boolean;
}

/** Negotiates and returns the connection token. */
export async function negotiateToken(
  base: string,
  stateful = false,
): Promise<string> {
  const query = stateful ? "&useStatefulReconnect=true" : "";
  const response = await fetch(
    `${base}/hub/negotiate?negotiateVersion=1${query}`,
    { method: "POST" },
  );
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`negotiate answered ${response.status}`);
  }
  return (await response.json()).connectionToken;
}

/** Opens a hub WebSocket, negotiated (`?id=`) or direct; resolves on open. */
export async function openSocket(
  base: string,
  negotiate: boolean,
): Promise<WebSocket> {
  return openWithToken(base, negotiate ? await negotiateToken(base) : null);
}

/** Opens the hub WebSocket for `token` (null: no negotiate). */
export async function openWithToken(
  base: string,
  token: string | null,
): Promise<WebSocket> {
  let url = base.replace(/^http/, "ws") + "/hub";
  if (token !== null) url += "?id=" + token;
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("WebSocket failed to open"));
  });
  socket.onerror = () => {};
  return socket;
}

/** Resolves true once `socket` is closed, false if not within `ms`. */
export function closedWithin(socket: WebSocket, ms: number): Promise<boolean> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.addEventListener("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Streams of numbered broadcasts a good client checks. */
export type Stream = "tick" | "heavy";

/**
 * A well-behaved client: handshakes, pings when asked, and checks that
 * each stream's numbers arrive exactly once and in order (a gap or a
 * repeat is a fault). A client that joins mid-stream (`next` 0) starts
 * from the first number it sees.
 */
export class GoodClient {
  readonly socket: WebSocket;
  readonly next: Record<Stream, number> = { tick: 0, heavy: 0 };
  readonly faults: string[] = [];
  faultCount = 0;
  /** The error of a Close the server sent, or "" when it sent one without. */
  serverClose: string | null = null;
  readonly closed: Promise<void>;
  #buffer = "";
  #handshake = Promise.withResolvers<void>();
  #handshook = false;
  #resuming = false;
  #calls = new Map<string, (error: string | null) => void>();
  #ids = 0;
  /** The connection token, when negotiated (stateful resumes need it). */
  token: string | null = null;
  /** Trackable messages sent (stateful reconnect's own count). */
  sentTrackable = 0;
  /** What the server's Sequence said after a resume; 0 before. */
  resumedAt = 0;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        this.#handshake.reject(new Error("closed during handshake"));
        for (const done of this.#calls.values()) done("closed");
        resolve();
      });
    });
    this.#handshake.promise.catch(() => {});
    socket.onmessage = (event) => this.#receive(event.data);
  }

  /** Connects, handshakes and joins `options.group` when given. */
  static async connect(
    base: string,
    options: ConnectOptions,
  ): Promise<GoodClient> {
    const stateful = options.stateful ?? false;
    const token = options.negotiate || stateful
      ? await negotiateToken(base, stateful)
      : null;
    const client = new GoodClient(await openWithToken(base, token));
    client.token = token;
    if (options.fromStart) client.next.tick = client.next.heavy = 1;
    client.socket.send(stateful ? HANDSHAKE.replace(":1}", ":2}") : HANDSHAKE);
    await client.#handshake.promise;
    if (options.group !== undefined) {
      await client.invoke("Join", [options.group]);
    }
    return client;
  }

  /**
   * Stateful reconnect by hand: a new socket with the same token, no
   * handshake; our Sequence first, then the server must answer with its
   * Sequence before anything else.
   */
  static async resume(base: string, token: string, sent: number) {
    const client = new GoodClient(await openWithToken(base, token));
    client.token = token;
    client.#handshook = true;
    client.#resuming = true;
    client.sentTrackable = sent;
    client.send(JSON.stringify({ type: 9, sequenceId: sent + 1 }) + RS);
    await client.#handshake.promise;
    return client;
  }

  #receive(data: string | ArrayBuffer): void {
    const text = typeof data === "string"
      ? data
      : new TextDecoder().decode(data);
    const parts = (this.#buffer + text).split(RS);
    this.#buffer = parts.pop()!;
    for (const part of parts) {
      if (!this.#handshook) {
        this.#handshook = true;
        if (part !== "{}") this.#fault(`handshake answered ${part}`);
        this.#handshake.resolve();
        continue;
      }
      this.#message(JSON.parse(part));
    }
  }

  // deno-lint-ignore no-explicit-any
  #message(m: any): void {
    if (this.#resuming) {
      this.#resuming = false;
      if (m.type !== 9) this.#fault(`resumed with type ${m.type} first`);
      else this.resumedAt = m.sequenceId;
      this.#handshake.resolve();
      return;
    }
    if (m.type === 1 && (m.target === "tick" || m.target === "heavy")) {
      const stream = m.target as Stream;
      const n = m.arguments[0] as number;
      if (this.next[stream] !== 0 && n !== this.next[stream]) {
        this.#fault(`${stream}: expected ${this.next[stream]}, got ${n}`);
      }
      this.next[stream] = n + 1;
    } else if (m.type === 3) {
      this.#calls.get(m.invocationId)?.(m.error ?? null);
    } else if (m.type === 7) {
      this.serverClose = m.error ?? "";
    }
  }

  #fault(what: string): void {
    this.faultCount++;
    if (this.faults.length < 5) this.faults.push(what);
  }

  /** Invokes a hub method; rejects with the error completion, if any. */
  invoke(target: string, args: unknown[]): Promise<void> {
    const invocationId = String(++this.#ids);
    this.sentTrackable++;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => done("no completion"), CLIENT_WAIT_MS);
    const done = (error: string | null) => {
      clearTimeout(timer);
      this.#calls.delete(invocationId);
      if (error === null) resolve();
      else reject(new Error(`${target}: ${error}`));
    };
    this.#calls.set(invocationId, done);
    this.send(
      JSON.stringify({ type: 1, invocationId, target, arguments: args }) + RS,
    );
    return promise;
  }

  /** Sends raw text if the socket is open. */
  send(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /** Keep-alive: the server closes clients silent for its timeout. */
  ping(): void {
    this.send(`{"type":6}${RS}`);
  }

  /** Leaves politely (Close message) and waits for the socket to close. */
  async close(): Promise<void> {
    this.send(`{"type":7}${RS}`);
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }
}

const encoder = new TextEncoder();

/**
 * A client that upgrades, handshakes, joins `group`, and then never reads
 * again: the server's socket buffer and then its queue fill up, which is
 * what a frozen phone on a bad network looks like.
 */
export async function openSlowReader(
  base: string,
  group: string,
): Promise<Deno.TcpConn> {
  const url = new URL(base);
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const request = [
    "GET /hub HTTP/1.1",
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${key}`,
    "",
    "",
  ].join("\r\n");
  await conn.write(encoder.encode(request));
  // Read only the 101 response; after this the socket is never read.
  const buffer = new Uint8Array(1024);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("upgrade refused");
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  if (!head.startsWith("HTTP/1.1 101")) {
    conn.close();
    throw new Error(`upgrade answered ${head.split("\r\n")[0]}`);
  }
  const join = JSON.stringify({ type: 1, target: "Join", arguments: [group] });
  await conn.write(textFrame(HANDSHAKE + join + RS));
  return conn;
}
