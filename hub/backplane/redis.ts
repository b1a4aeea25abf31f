/**
 * The Redis backplane: many hub processes act as one through Redis pub/sub.
 *
 * One channel per scope (`<prefix>:all`, `<prefix>:group:<name>`,
 * `<prefix>:user:<id>`, `<prefix>:connection:<id>`, `<prefix>:node:<id>`),
 * so a process receives only what concerns something it holds. Each message
 * is JSON-encoded once per publish and carries the sender's node id, so a
 * process ignores its own echo on `all`.
 *
 * Built on `@redis/client` (node-redis), the client Redis itself maintains:
 * no runtime dependencies, promise API, per-channel listeners, and it
 * resubscribes known channels on reconnect. Pub/sub needs a connection of
 * its own, so there are two: one publishes, one subscribes.
 *
 * Outages: the hub keeps serving its own clients; `status()` reports the
 * backplane down with detail; both connections reconnect with capped
 * exponential backoff; channels are reconciled on reconnect; a publish
 * while down is dropped and counted (the offline queue is off, so nothing
 * is buffered).
 *
 * @example
 * ```ts
 * const backplane = new RedisBackplane({ url: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379" });
 * const server = new HubServer(hub, { path: "/chart", backplane });
 * ```
 *
 * @module
 */

import {
  type Backplane,
  type BackplaneMessage,
  type BackplaneNode,
  type BackplaneStatus,
  type Scope,
} from "./backplane.ts";
import {
  channelOf,
  redactRedisUrl,
  redactUrlsInText,
} from "./redis_channels.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import { type Client, closeClient, newClient } from "./redis_client.ts";
import { deliverEnvelope } from "./redis_delivery.ts";
import { PublishLimit } from "./redis_publish_limit.ts";
import { reconnectDelay } from "./redis_reconnect.ts";
import { definedFields } from "../defined_fields.ts";

/** Options of the Redis backplane; every field but `url` has a default. */
export interface RedisBackplaneOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /**
   * Channel prefix. Default `"switchboard:default"`. Processes form one hub
   * only when they share it; give each hub (and each app on a shared
   * Redis) its own, e.g. `"switchboard:chart"`.
   */
  prefix?: string;
  /** Named-event logger. Default: JSON lines on stderr at "info". */
  logger?: Logger;
  /** First reconnect delay, doubled per attempt. Default 100 ms. */
  minReconnectDelayMs?: number;
  /**
   * Longest reconnect delay. Default 5 s: an outage is noticed as over
   * within seconds, while a dead Redis sees at most one attempt per 5 s
   * from each of two connections per process.
   */
  maxReconnectDelayMs?: number;
  /**
   * How long `start()` waits for Redis before letting the hub serve
   * locally and reconnecting in the background. Default 5 s.
   */
  startTimeoutMs?: number;
  /**
   * Publishes awaiting Redis's reply at once. Default 10,000: far above
   * what a healthy Redis has outstanding, low enough that a stalled one
   * costs megabytes, not gigabytes. Beyond it a publish is dropped and
   * counted.
   */
  maxInFlight?: number;
  /** Channels per SUBSCRIBE when reconciling. Default 1,000. */
  subscribeBatch?: number;
  /**
   * PING on each connection this often. Default 5 s: hosted Redis and NAT
   * gateways drop idle TCP silently, and a hung Redis sends no RST; the
   * ping's missing answer is what notices both. 0 turns it off.
   */
  pingIntervalMs?: number;
  /**
   * Close a connection that received nothing for this long, then
   * reconnect. Default 15 s: three missed pings. 0 turns it off.
   */
  socketTimeoutMs?: number;
}

type Role = "publisher" | "subscriber";

/** Defaults of `RedisBackplaneOptions`; the cluster backplane shares them. */
export const redisDefaults = {
  prefix: "switchboard:default",
  minReconnectDelayMs: 100,
  maxReconnectDelayMs: 5_000,
  startTimeoutMs: 5_000,
  maxInFlight: 10_000,
  subscribeBatch: 1_000,
  pingIntervalMs: 5_000,
  socketTimeoutMs: 15_000,
} as const;

/** A backplane over Redis pub/sub; see the module doc. */
export class RedisBackplane implements Backplane {
  readonly #options: Required<Omit<RedisBackplaneOptions, "logger">>;
  readonly #log: Logger;
  readonly #safeUrl: string;
  /** Channels this process wants; bounded by what it holds (its scopes). */
  readonly #wanted = new Set<string>();
  #node: BackplaneNode | undefined;
  #pub: Client | undefined;
  #sub: Client | undefined;
  #state: "new" | "connecting" | "up" | "down" | "closed" = "new";
  #downSince = 0;
  #lastError = "";
  #attempts = 0;
  readonly #limit: PublishLimit;
  readonly #listener = (text: string, channel: string) =>
    this.#onMessage(text, channel);

  /** Prepares; nothing connects before `start`. */
  constructor(options: RedisBackplaneOptions) {
    this.#options = {
      ...redisDefaults,
      ...definedFields(options),
      url: options.url,
    };
    this.#log = options.logger ?? consoleLogger();
    this.#safeUrl = redactRedisUrl(options.url);
    this.#limit = new PublishLimit(this.#options.maxInFlight);
  }

  /**
   * Connects both clients and subscribes `all` and `node:<id>`. Resolves
   * when they are in effect, or after the first failure or
   * `startTimeoutMs`, so a hub with Redis down still starts and serves its
   * own clients; reconnecting goes on in the background.
   */
  async start(node: BackplaneNode): Promise<void> {
    if (this.#state !== "new") throw new TypeError("Backplane already started");
    this.#node = node;
    this.#state = "connecting";
    this.#wanted.add(this.#channel("all"));
    this.#wanted.add(this.#channel(`node:${node.id}`));
    this.#pub = this.#createClient("publisher");
    this.#sub = this.#createClient("subscriber");
    const firstOutcome = new Promise<void>((resolve) => {
      this.#settleStart = resolve;
    });
    for (const client of [this.#pub, this.#sub]) {
      client.connect().catch(() => {/* reported by the "error" event */});
    }
    const timer = setTimeout(
      () => this.#settleStart?.(),
      this.#options.startTimeoutMs,
    );
    try {
      await firstOutcome;
    } finally {
      clearTimeout(timer);
      this.#settleStart = undefined;
    }
  }

  #settleStart: (() => void) | undefined;

  /** Publishes to each scope's channel; drops and counts while down. */
  async publish(message: BackplaneMessage): Promise<void> {
    const pub = this.#pub;
    await this.#limit.publish(
      message,
      this.#node?.id ?? null,
      !!pub && this.#state === "up",
      async (scope, payload) =>
        await pub?.publish(this.#channel(scope), payload),
    );
  }

  /** Subscribes `scope`'s channel; while down, on reconnect instead. */
  subscribe(scope: Scope): Promise<void> {
    const channel = this.#channel(scope);
    this.#wanted.add(channel);
    const sub = this.#sub;
    // isReady, not "up": a subscribe racing the reconnect's reconcile must
    // go out now, since reconcile took its snapshot already.
    if (!sub?.isReady || this.#state === "closed") return Promise.resolve();
    return sub.subscribe(channel, this.#listener).catch((error: unknown) =>
      this.#log.log("debug", "backplane.redis.subscribe_failed", {
        scope,
        error: this.#describe(error),
      })
    );
  }

  /** Unsubscribes `scope`'s channel; messages already on the way are ignored. */
  unsubscribe(scope: Scope): void {
    const channel = this.#channel(scope);
    this.#wanted.delete(channel);
    const sub = this.#sub;
    if (!sub?.isReady || this.#state === "closed") return;
    // A failure leaves a stale channel; the next reconnect reconciles it
    // and #onMessage filters by #wanted meanwhile.
    sub.unsubscribe(channel, this.#listener).catch(() => {});
  }

  /** Health for `/healthz` and `/metrics`; the detail never holds secrets. */
  status(): BackplaneStatus {
    return {
      name: "redis",
      healthy: this.#state === "up",
      detail: this.#detail(),
      dropped: this.#limit.dropped,
    };
  }

  /** Stops reconnecting, closes both connections, stops delivering. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    this.#settleStart?.();
    this.#node = undefined;
    await Promise.all(
      [this.#pub, this.#sub].map((client) => closeClient(client, wasUp)),
    );
    this.#log.log("info", "backplane.redis.closed", { url: this.#safeUrl });
  }

  #channel(scope: Scope): string {
    return channelOf(this.#options.prefix, scope);
  }

  #createClient(role: Role): Client {
    const client = newClient({
      ...this.#options,
      backoff: (retries) => this.#backoff(retries),
    });
    client.on("error", (error: unknown) => this.#onError(role, error));
    client.on("ready", () => this.#onReady(role));
    client.on("reconnecting", () => this.#attempts++);
    return client;
  }

  #backoff(retries: number): number | false {
    if (this.#state === "closed") return false;
    return reconnectDelay(retries, this.#options);
  }

  #onError(role: Role, error: unknown): void {
    if (this.#state === "closed") return;
    this.#lastError = `${role}: ${this.#describe(error)}`;
    // An error that left both connections usable changes nothing.
    if (this.#pub?.isReady && this.#sub?.isReady) return;
    if (this.#state === "up" || this.#state === "connecting") {
      this.#state = "down";
      this.#downSince = Date.now();
      this.#log.log("warn", "backplane.redis.down", {
        url: this.#safeUrl,
        error: this.#lastError,
      });
    }
    this.#settleStart?.();
  }

  #onReady(role: Role): void {
    if (this.#state === "closed") return;
    if (!this.#pub?.isReady || !this.#sub?.isReady) return;
    const wasDown = this.#state === "down";
    this.#log.log("info", "backplane.redis.up", {
      url: this.#safeUrl,
      role,
      downMs: wasDown ? Date.now() - this.#downSince : 0,
    });
    this.#reconcile().then(() => {
      if (this.#state === "closed" || !this.#sub?.isReady) return;
      // Up only once the channels are in effect, so a publish that counts
      // as delivered can reach every interested process.
      if (this.#pub?.isReady) this.#state = "up";
      this.#attempts = 0;
      this.#settleStart?.();
    });
  }

  /**
   * Makes the subscriber's channels match #wanted. The client resubscribes
   * what it knew before `ready`, but a subscribe or unsubscribe that failed
   * while down never reached its books.
   */
  async #reconcile(): Promise<void> {
    const sub = this.#sub;
    if (!sub) return;
    const have = sub.getPubSubListeners("CHANNELS") as Map<string, unknown>;
    const add = [...this.#wanted].filter((channel) => !have.has(channel));
    const drop = [...have.keys()].filter((c) => !this.#wanted.has(c));
    const size = this.#options.subscribeBatch;
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < add.length; i += size) {
      work.push(sub.subscribe(add.slice(i, i + size), this.#listener));
    }
    for (let i = 0; i < drop.length; i += size) {
      work.push(sub.unsubscribe(drop.slice(i, i + size), this.#listener));
    }
    const results = await Promise.allSettled(work);
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed > 0) {
      this.#log.log("warn", "backplane.redis.reconcile_failed", { failed });
    }
  }

  #onMessage(text: string, channel: string): void {
    if (!this.#wanted.has(channel)) return;
    deliverEnvelope(this.#node, text, channel, this.#log);
  }

  #detail(): string {
    const channels = this.#wanted.size;
    switch (this.#state) {
      case "new":
        return `not started (${this.#safeUrl})`;
      case "connecting":
        return `connecting to ${this.#safeUrl}`;
      case "up":
        return `connected to ${this.#safeUrl}, ${channels} channels`;
      case "down":
        return `${this.#safeUrl} down since ` +
          `${new Date(this.#downSince).toISOString()}: ` +
          `${this.#lastError}; reconnect attempts ${this.#attempts}; ` +
          `serving local connections only`;
      case "closed":
        return "closed";
    }
  }

  #describe(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return redactUrlsInText(text);
  }
}
