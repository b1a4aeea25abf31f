/**
 * A minimal WebSocket client over a raw TCP connection, built for holding
 * 10,000 connections in one load-generator process. Deno's `WebSocket` class
 * allocates an event object and runs EventTarget dispatch per message; this
 * client reads whole TCP chunks and hands each frame's bytes to a callback
 * without decoding or copying, so receiving stays cheaper than sending on
 * the target. Per connection it keeps a socket, one read buffer and a write
 * chain.
 *
 * Not a general client: no TLS, no extensions, the handshake's accept key is
 * not verified (the targets are our own loopback servers), and outgoing
 * frames use an all-zero mask so the payload needs no masking pass.
 *
 * @module
 */

/** Receives the frames of one connection. */
export interface FrameSink {
  /** A text or binary frame; the payload is `bytes[start, end)`, valid only during the call. */
  onFrame(
    client: WsClient,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): void;
  /** The connection ended (closed by either side or failed). */
  onClose(client: WsClient): void;
}

/** Initial read buffer; fan-out frames are ~70 bytes, so several fit. */
const INITIAL_BUFFER = 2048;
/** A single frame larger than this closes the connection (overflow action). */
const MAX_BUFFER = 1 << 20;
const encoder = new TextEncoder();
const HEAD_END = encoder.encode("\r\n\r\n");

/** One client connection; `tag` and `pending` are free slots for the driver. */
export class WsClient {
  /** Index of this client in its worker, given to `open`. */
  tag = 0;
  /** Epoch µs of the request in flight, 0 when none (request/response). */
  pending = 0;
  #buf = new Uint8Array(INITIAL_BUFFER);
  #len = 0;
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(readonly conn: Deno.TcpConn, readonly sink: FrameSink) {}

  /** Connects and upgrades; resolves once the 101 arrived, then reads in the background. */
  static async open(
    host: string,
    port: number,
    path: string,
    sink: FrameSink,
    tag: number,
  ): Promise<WsClient> {
    const conn = await Deno.connect({ hostname: host, port });
    conn.setNoDelay(true);
    const client = new WsClient(conn, sink);
    // Set before reading: a server may speak first (engine.io's open packet).
    client.tag = tag;
    try {
      await client.#upgrade(host, port, path);
    } catch (error) {
      client.close();
      throw error;
    }
    client.#readLoop();
    return client;
  }

  /** True once the connection ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one text frame; writes are chained so frames never interleave. */
  sendText(text: string): Promise<unknown> {
    if (this.#closed) return Promise.resolve();
    const frame = textFrame(text);
    this.#writes = this.#writes.then(() => this.#writeAll(frame)).catch(() =>
      this.close()
    );
    return this.#writes;
  }

  /** Closes the TCP connection at once (no close handshake: it is a load tool). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer.
    }
    this.sink.onClose(this);
  }

  async #upgrade(host: string, port: number, path: string): Promise<void> {
    const request = `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
      "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: c3dpdGNoYm9hcmRiZW5jaA==\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n";
    await this.#writeAll(encoder.encode(request));
    for (;;) {
      const end = indexOf(this.#buf, this.#len, HEAD_END);
      if (end >= 0) {
        const status = new TextDecoder().decode(this.#buf.subarray(0, 12));
        if (!status.startsWith("HTTP/1.1 101")) {
          throw new Error(`Upgrade refused: ${status}`);
        }
        this.#consume(end + HEAD_END.length);
        return;
      }
      if (!(await this.#fill())) throw new Error("Closed during upgrade");
    }
  }

  async #readLoop(): Promise<void> {
    try {
      this.#parse();
      while (await this.#fill()) this.#parse();
    } catch {
      // A reset connection ends the loop like a clean close.
    }
    this.close();
  }

  /** Reads more bytes; false on EOF. Grows the buffer up to MAX_BUFFER. */
  async #fill(): Promise<boolean> {
    if (this.#len === this.#buf.length) {
      if (this.#buf.length >= MAX_BUFFER) {
        throw new RangeError("Frame too large");
      }
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#len));
    if (n === null) return false;
    this.#len += n;
    return true;
  }

  #parse(): void {
    const buf = this.#buf;
    let pos = 0;
    while (this.#len - pos >= 2) {
      const opcode = buf[pos] & 0x0f;
      let size = buf[pos + 1] & 0x7f;
      let head = 2;
      if (size === 126) {
        if (this.#len - pos < 4) break;
        size = (buf[pos + 2] << 8) | buf[pos + 3];
        head = 4;
      } else if (size === 127) {
        if (this.#len - pos < 10) break;
        size = (buf[pos + 6] << 24 >>> 0) + (buf[pos + 7] << 16) +
          (buf[pos + 8] << 8) + buf[pos + 9];
        head = 10;
      }
      if (this.#len - pos < head + size) break;
      this.#frame(opcode, pos + head, pos + head + size);
      if (this.#closed) return;
      pos += head + size;
    }
    this.#consume(pos);
  }

  #frame(opcode: number, start: number, end: number): void {
    if (opcode <= 2) {
      this.sink.onFrame(this, this.#buf, start, end);
    } else if (opcode === 9) {
      this.#writes = this.#writes.then(() =>
        this.#writeAll(controlFrame(0x8a, this.#buf.slice(start, end)))
      ).catch(() => this.close());
    } else if (opcode === 8) {
      this.close();
    }
  }

  #consume(count: number): void {
    if (count === 0) return;
    this.#buf.copyWithin(0, count, this.#len);
    this.#len -= count;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.conn.write(bytes.subarray(offset));
    }
  }
}

/** A masked (all-zero key) final text frame holding `text`. */
export function textFrame(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const n = payload.length;
  const head = n < 126 ? 6 : n < 65536 ? 8 : 14;
  const frame = new Uint8Array(head + n);
  frame[0] = 0x81;
  if (n < 126) {
    frame[1] = 0x80 | n;
  } else if (n < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = n >> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setUint32(6, n);
  }
  frame.set(payload, head);
  return frame;
}

function controlFrame(first: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = first;
  frame[1] = 0x80 | payload.length;
  frame.set(payload, 6);
  return frame;
}

function indexOf(
  haystack: Uint8Array,
  length: number,
  needle: Uint8Array,
): number {
  outer: for (let i = 0; i + needle.length <= length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}
