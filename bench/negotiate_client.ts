/**
 * Negotiate for the load generator over one kept-alive TCP connection per
 * caller, written by hand: `fetch` costs the generator several times what
 * the server spends answering, so the connect rate would measure the
 * generator. Not a general HTTP client: HTTP/1.1, `Content-Length` bodies
 * only, loopback targets of our own.
 *
 * @module
 */

const utf8 = new TextEncoder();
const text = new TextDecoder();
/** A negotiate answer is a few hundred bytes; more is an error. */
const MAX_RESPONSE = 64 * 1024;

/** Sends negotiate requests one after another on one connection. */
export class NegotiateClient {
  #conn: Deno.TcpConn | null = null;
  #buf = new Uint8Array(4096);
  #len = 0;

  constructor(readonly port: number, readonly path: string) {}

  /** POSTs negotiate and returns the connection token. */
  async negotiate(): Promise<string> {
    this.#conn ??= await Deno.connect({
      hostname: "127.0.0.1",
      port: this.port,
    });
    const request =
      `POST ${this.path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n` +
      "Content-Length: 0\r\n\r\n";
    try {
      await this.#conn.write(utf8.encode(request));
      const body = await this.#readResponse();
      const match = body.match(/"connectionToken":"([^"]+)"/);
      if (!match) {
        throw new Error(`No token in negotiate: ${body.slice(0, 60)}`);
      }
      return match[1];
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async #readResponse(): Promise<string> {
    for (;;) {
      const head = text.decode(this.#buf.subarray(0, this.#len));
      const end = head.indexOf("\r\n\r\n");
      if (end >= 0) {
        const status = head.slice(9, 12);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const total = end + 4 + length;
        if (this.#len >= total) {
          const body = head.slice(end + 4, total);
          this.#buf.copyWithin(0, total, this.#len);
          this.#len -= total;
          if (status !== "200") throw new Error(`negotiate ${status}`);
          return body;
        }
      }
      if (this.#len === this.#buf.length) {
        if (this.#len >= MAX_RESPONSE) throw new Error("Negotiate too large");
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
      const n = await this.#conn!.read(this.#buf.subarray(this.#len));
      if (n === null) throw new Error("Closed during negotiate");
      this.#len += n;
    }
  }

  /** Closes the connection; the next call opens a new one. */
  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#conn = null;
    this.#len = 0;
  }
}
