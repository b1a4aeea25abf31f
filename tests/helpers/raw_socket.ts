/**
 * A bare WebSocket speaking the SignalR JSON protocol by hand, for input
 * the official client would never send.
 *
 * @module
 */

const RS = "\x1e";

/**
 * Headers that make a plain `fetch` a WebSocket upgrade (from `origin` if
 * given), to see the status a refused upgrade really gets.
 */
export function upgradeHeaders(origin?: string): HeadersInit {
  return {
    upgrade: "websocket",
    connection: "upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    ...(origin ? { origin } : {}),
  };
}

/** A raw client with a queue of received records. */
export class RawClient {
  readonly socket: WebSocket;
  readonly records: Record<string, unknown>[] = [];
  /** WebSocket messages received (each may carry several records). */
  frames = 0;
  readonly closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (e) => {
        resolve(e);
        this.#wake();
      });
    });
    socket.addEventListener("message", (e) => {
      this.frames++;
      const text = typeof e.data === "string"
        ? e.data
        : new TextDecoder().decode(e.data);
      for (const part of text.split(RS)) {
        if (part) this.records.push(JSON.parse(part));
      }
      this.#wake();
    });
  }

  /** Opens `ws://…/hub` (skipNegotiation style) or with `?id=`. */
  static async open(url: string, headers?: HeadersInit): Promise<RawClient> {
    const wsUrl = url.replace(/^http/, "ws");
    // Deno's WebSocket takes headers through its options bag.
    const socket = new WebSocket(
      wsUrl,
      headers ? { headers } as unknown as string[] : undefined,
    );
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener(
        "error",
        () => reject(new Error("WebSocket failed")),
        { once: true },
      );
    });
    return client;
  }

  /** Opens and completes the JSON handshake. */
  static async connected(url: string): Promise<RawClient> {
    const client = await RawClient.open(url);
    client.send(`{"protocol":"json","version":1}${RS}`);
    const answer = await client.next();
    if (Object.keys(answer).length !== 0) {
      throw new Error(`Handshake failed: ${JSON.stringify(answer)}`);
    }
    return client;
  }

  /** Sends raw text or bytes. */
  send(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** Sends one message object as a JSON record. */
  sendMessage(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message) + RS);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** The next record that matches `filter` (pings skipped by default). */
  async next(
    filter: (r: Record<string, unknown>) => boolean = (r) => r.type !== 6,
    timeoutMs = 5_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.records.findIndex(filter);
      if (i >= 0) return this.records.splice(i, 1)[0];
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error("Socket closed before the expected record");
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("Timed out waiting for a record");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes and waits for the close event. */
  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }
}
