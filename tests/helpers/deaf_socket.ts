/**
 * A WebSocket client over raw TCP that never answers control frames: it
 * reads and discards whatever the server sends (a Close frame included)
 * and keeps the TCP connection open until told to drop it. This is how a
 * hostile peer holds a socket the server has already closed.
 *
 * @module
 */

const encoder = new TextEncoder();

/** One raw-TCP WebSocket that ignores the closing handshake. */
export class DeafSocket {
  readonly #conn: Deno.TcpConn;
  /** Everything the server sent, as text (frames not parsed). */
  received = "";
  /** Resolves when the server dropped the TCP connection. */
  readonly dropped: Promise<void>;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.dropped = this.#drain();
  }

  /**
   * Opens `url` (http://host:port/path?query) and upgrades; resolves once
   * the server's 101 arrived, rejects with the status line otherwise.
   */
  static async open(url: string): Promise<DeafSocket> {
    const target = new URL(url);
    const conn = await Deno.connect({
      hostname: target.hostname,
      port: Number(target.port),
    });
    await conn.write(encoder.encode(
      `GET ${target.pathname}${target.search} HTTP/1.1\r\n` +
        `Host: ${target.host}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    const socket = new DeafSocket(conn);
    const deadline = Date.now() + 5_000;
    while (!socket.received.includes("\r\n\r\n")) {
      if (Date.now() > deadline) throw new Error("No upgrade answer");
      await new Promise((r) => setTimeout(r, 5));
    }
    const status = socket.received.slice(0, socket.received.indexOf("\r\n"));
    if (!status.includes(" 101 ")) {
      socket.drop();
      throw new Error(status);
    }
    return socket;
  }

  /** Sends one masked text frame (clients must mask). */
  async sendText(text: string): Promise<void> {
    const payload = encoder.encode(text);
    if (payload.length > 65_535) throw new RangeError("Frame too long here");
    const long = payload.length > 125;
    const header = long
      ? [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]
      : [0x81, 0x80 | payload.length];
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const frame = new Uint8Array(header.length + 4 + payload.length);
    frame.set(header, 0);
    frame.set(mask, header.length);
    for (let i = 0; i < payload.length; i++) {
      frame[header.length + 4 + i] = payload[i] ^ mask[i % 4];
    }
    await this.#conn.write(frame);
  }

  /** Closes the TCP connection without any closing handshake. */
  drop(): void {
    try {
      this.#conn.close();
    } catch {
      // Closed already.
    }
  }

  async #drain(): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    const decoder = new TextDecoder("latin1");
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) return;
        this.received += decoder.decode(buffer.subarray(0, n));
      }
    } catch {
      // Dropped by us.
    }
  }
}
