/**
 * A loopback TCP proxy for fault tests: every accepted connection is piped
 * to the target, and live connections can be cut (both sides closed at
 * once, as a network drop looks to each end), delayed, slowed, or paused
 * in one direction (a reader that stops reading).
 *
 * Built on `Deno.listen`/`Deno.connect` only, so what the server sees is a
 * real socket going away, not a mocked one.
 *
 * @module
 */

/** Which way bytes flow: toward the target, or back to the client. */
export type Direction = "up" | "down";

/** How a direction forwards bytes right now. */
interface Shaping {
  delayMs: number;
  bytesPerSecond: number;
  paused: PromiseWithResolvers<void> | null;
}

/** One proxied client connection: both sockets and their pumps. */
class Pipe {
  readonly done: Promise<void>;
  #closed = false;
  #vanished = false;
  readonly #cutSignal = Promise.withResolvers<void>();

  constructor(
    readonly client: Deno.TcpConn,
    readonly server: Deno.TcpConn,
    shaping: Record<Direction, Shaping>,
  ) {
    this.done = Promise.all([
      this.#pump(client, server, shaping.up),
      this.#pump(server, client, shaping.down),
    ]).then(() => {
      if (!this.#vanished) this.cut();
    });
  }

  async #pump(from: Deno.TcpConn, to: Deno.TcpConn, shape: Shaping) {
    const buffer = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        await this.#whilePaused(shape);
        if (this.#closed) return;
        const n = await from.read(buffer);
        if (n === null || this.#vanished) return;
        if (shape.delayMs > 0) await sleep(shape.delayMs);
        if (shape.bytesPerSecond > 0) {
          await sleep((n * 1000) / shape.bytesPerSecond);
        }
        await this.#whilePaused(shape);
        await writeAll(to, buffer.subarray(0, n));
      }
    } catch {
      // Either side went away (or we cut it): the pipe is over.
    }
  }

  #whilePaused(shape: Shaping): Promise<void> | void {
    if (!shape.paused) return;
    return Promise.race([shape.paused.promise, this.#cutSignal.promise]);
  }

  /**
   * Closes the client's socket only and stops forwarding: the server hears
   * nothing, as when a NAT forgets a connection or a phone leaves Wi-Fi.
   */
  vanish(): void {
    this.#vanished = true;
    try {
      this.client.close();
    } catch {
      // Already closed.
    }
  }

  /** Closes both sockets; each peer sees its connection drop. */
  cut(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cutSignal.resolve();
    for (const conn of [this.client, this.server]) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}

/** A running proxy on 127.0.0.1 with an ephemeral port. */
export class TcpProxy {
  readonly port: number;
  readonly #listener: Deno.Listener<Deno.TcpConn>;
  readonly #pipes = new Set<Pipe>();
  /** Half-open pipes: their server sockets stay open until `close()`. */
  readonly #vanished = new Set<Pipe>();
  readonly #shaping: Record<Direction, Shaping> = {
    up: { delayMs: 0, bytesPerSecond: 0, paused: null },
    down: { delayMs: 0, bytesPerSecond: 0, paused: null },
  };
  readonly #accepting: Promise<void>;
  /** Connections accepted since start (reconnects show up here). */
  accepted = 0;
  /** While true, new connections are closed at once (a dead route). */
  refusing = false;

  private constructor(
    listener: Deno.Listener<Deno.TcpConn>,
    target: { hostname: string; port: number },
  ) {
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#accept(target);
  }

  /** Proxies 127.0.0.1:<ephemeral> to `target` (a URL or host and port). */
  static start(target: string | { hostname: string; port: number }): TcpProxy {
    const to = typeof target === "string"
      ? {
        hostname: new URL(target).hostname,
        port: Number(new URL(target).port),
      }
      : target;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new TcpProxy(listener, to);
  }

  /** `http://127.0.0.1:<port>`, to hand to clients instead of the target. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Live proxied connections. */
  get connections(): number {
    return this.#pipes.size;
  }

  async #accept(target: { hostname: string; port: number }): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      this.accepted++;
      if (this.refusing) {
        client.close();
        continue;
      }
      let server: Deno.TcpConn;
      try {
        server = await Deno.connect(target);
      } catch {
        client.close();
        continue;
      }
      const pipe = new Pipe(client, server, this.#shaping);
      this.#pipes.add(pipe);
      pipe.done.then(() => this.#pipes.delete(pipe));
    }
  }

  /** Drops every live connection at once (new ones still get through). */
  cutAll(): void {
    for (const pipe of this.#pipes) pipe.cut();
  }

  /**
   * Stops listening: new connections are refused by the kernel (a route
   * that is gone), while live ones carry on.
   */
  stopListening(): void {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
  }

  /** Drops every client side silently, leaving the server's half open. */
  vanishAll(): void {
    for (const pipe of this.#pipes) {
      pipe.vanish();
      this.#vanished.add(pipe);
    }
  }

  /** Holds each chunk `ms` before forwarding it in `direction`. */
  delay(direction: Direction, ms: number): void {
    this.#shaping[direction].delayMs = ms;
  }

  /** Forwards at most `bytesPerSecond` in `direction` (0: unlimited). */
  throttle(direction: Direction, bytesPerSecond: number): void {
    this.#shaping[direction].bytesPerSecond = bytesPerSecond;
  }

  /**
   * Stops reading in `direction`: the sender's socket buffers fill up as
   * they would behind a client that stopped reading.
   */
  pause(direction: Direction): void {
    this.#shaping[direction].paused ??= Promise.withResolvers<void>();
  }

  /** Undoes `pause`. */
  resume(direction: Direction): void {
    const shape = this.#shaping[direction];
    shape.paused?.resolve();
    shape.paused = null;
  }

  /** Stops listening, cuts every connection and waits for the pumps. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    this.resume("up");
    this.resume("down");
    const pipes = [...this.#pipes, ...this.#vanished];
    for (const pipe of pipes) pipe.cut();
    await this.#accepting;
    await Promise.all(pipes.map((p) => p.done));
  }
}

async function writeAll(conn: Deno.TcpConn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
