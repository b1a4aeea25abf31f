/**
 * A real Redis Cluster for tests: `redis-server` processes in cluster mode
 * on free loopback ports, joined by `redis-cli --cluster create`, nothing
 * persisted but each node's `nodes.conf` (in a temp dir, so a killed node
 * restarts as the same node and rejoins).
 *
 * @module
 */

import { RedisServer, redisServerPath } from "./redis_server.ts";
import { freePort } from "./app_process.ts";
import { waitUntil } from "./wait_until.ts";
import { keySlot } from "../../hub/backplane/redis_slot.ts";
import {
  namesPerShard,
  type NodeRole,
  ownsSlot,
  parseNodeLine,
} from "./redis_cluster_nodes.ts";
import { roundTrip } from "./redis_round_trip.ts";

export { keySlot, namesPerShard, type NodeRole, ownsSlot };

/** `redis-cli`, from the `redis-tools` package `redis-server` depends on. */
export const redisCliPath = Deno.env.get("REDIS_CLI") ??
  redisServerPath.replace(/redis-server$/, "redis-cli");

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * True when cluster tests must be skipped: a binary is missing and this is
 * not CI (in CI a missing binary fails the tests instead).
 */
export const skipRedisCluster: boolean =
  !(exists(redisServerPath) && exists(redisCliPath)) &&
  Deno.env.get("CI") !== "true";

if (skipRedisCluster) {
  console.warn(
    `skipping Redis Cluster tests: ${redisServerPath} or ${redisCliPath} ` +
      `not found (apt-get install redis-server)`,
  );
}

/** Shape of a test cluster. */
export interface RedisClusterOptions {
  /** Masters, each owning a third (or so) of the slots. Default 3. */
  masters?: number;
  /** Replicas per master, for failover. Default 0. */
  replicas?: number;
  /** `requirepass` and `masterauth` on every node. */
  password?: string;
}

/** A running master: its server and its place in the cluster. */
export interface RunningMaster {
  readonly server: RedisServer;
  readonly role: NodeRole;
}

/** Several `redis-server` processes forming one cluster. */
export class RedisCluster {
  readonly nodes: readonly RedisServer[];
  readonly #dir: string;
  readonly #password: string | undefined;

  private constructor(
    nodes: RedisServer[],
    dir: string,
    password: string | undefined,
  ) {
    this.nodes = nodes;
    this.#dir = dir;
    this.#password = password;
  }

  /** Starts the nodes, creates the cluster, waits until its state is ok. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 0;
    const dir = await Deno.makeTempDir({ prefix: "switchboard-cluster-" });
    const args = (port: number) => [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `${dir}/nodes-${port}.conf`,
      "--cluster-port",
      String(freePort()),
      // Failover within a second or two of a master dying.
      "--cluster-node-timeout",
      "1000",
      "--cluster-replica-validity-factor",
      "0",
      // Other shards keep serving while one has no master.
      "--cluster-require-full-coverage",
      "no",
      "--dir",
      dir,
      // DEBUG SLEEP from loopback: a test holds a node busy mid-command.
      "--enable-debug-command",
      "local",
    ];
    const nodes = await Promise.all(
      Array.from(
        { length: masters * (1 + replicas) },
        () => RedisServer.start({ password: options.password, args }),
      ),
    );
    const cluster = new RedisCluster(nodes, dir, options.password);
    try {
      await cluster.cli([
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ]);
      await cluster.waitHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Every node's URL: any one is a seed. */
  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  /** The value of `REDIS_CLUSTER_URLS`. */
  get envValue(): string {
    return this.urls.join(",");
  }

  /** Waits until every running node reports `cluster_state:ok`. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      async () => {
        for (const node of this.nodes) {
          if (node.pid === undefined) continue;
          const info = await this.cli([
            "-p",
            String(node.port),
            "cluster",
            "info",
          ])
            .catch(() => "");
          if (!info.includes("cluster_state:ok")) return false;
        }
        return true;
      },
      "cluster state ok",
      timeoutMs,
    );
  }

  /** Roles as a running node sees them (`CLUSTER NODES`). */
  async roles(): Promise<NodeRole[]> {
    const asker = this.nodes.find((n) => n.pid !== undefined);
    if (!asker) throw new Error("No cluster node is running");
    const text = await this.nodesSeenBy(asker.port);
    return text.trim().split("\n").map(parseNodeLine);
  }

  /** The running masters, as servers, with their slots. */
  async masters(): Promise<RunningMaster[]> {
    const roles = await this.roles();
    return roles.filter((r) => r.master && r.slots.length > 0).map((role) => ({
      role,
      server: this.nodes.find((n) => n.port === role.port)!,
    })).filter((m) => m.server.pid !== undefined);
  }

  /** Waits until the master set no longer holds `port` (failover done). */
  async waitFailover(port: number, timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      async () => {
        const masters = await this.masters().catch(() => []);
        return masters.length > 0 &&
          masters.every((m) => m.role.port !== port);
      },
      `a replica replaces master ${port}`,
      timeoutMs,
    );
    await this.waitHealthy(timeoutMs);
  }

  /**
   * Hands `slot` (empty: nothing to migrate) from its master to the master
   * listening on `toPort`, as `redis-cli --cluster reshard` ends a
   * migration: the target first, then every other running master.
   *
   * The target is put in importing state before it claims the slot. Only
   * then does its claim bump its config epoch above the old owner's and
   * make it ignore the old owner's gossip about the slot meanwhile. A bare
   * claim keeps the target's epoch; if that is the lower one and the old
   * owner's heartbeat (it still claims the slot) arrives before the old
   * owner is told, the target hands the slot back, the old owner then hands
   * it to the target, and each sends the slot's commands to the other for
   * good: a slow machine (redis-cli calls far apart) hit exactly that.
   */
  async moveSlot(slot: number, toPort: number): Promise<void> {
    const { masters, source, target } = await this.#slotMove(slot, toPort);
    if (source === target) return;
    await this.#handOver(slot, source, target, masters);
  }

  /**
   * Moves `slot` like `moveSlot`, but tells the old owner first, in one
   * transaction that holds it busy for half a second (`DEBUG SLEEP`, under
   * the node timeout) before it lets go of the slot. `whileOwnerBusy` runs
   * as that starts: a command a client sends then is answered only after
   * Redis has pushed the slot-moved notice on the same connection.
   * `beforeTarget` runs once the old owner let go and before the new owner
   * is told: meanwhile the new owner still sends the slot back (`MOVED`).
   */
  async moveSlotOwnerFirst(
    slot: number,
    toPort: number,
    steps: {
      whileOwnerBusy?: () => Promise<unknown>;
      beforeTarget?: () => Promise<unknown>;
    },
  ): Promise<void> {
    const { masters, source, target } = await this.#slotMove(slot, toPort);
    if (source === target) throw new Error(`Slot ${slot} is on ${toPort}`);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: source.role.port,
    });
    try {
      const auth = this.#password ? [["AUTH", this.#password]] : [];
      // Accepted and answering before the transaction goes: a connection
      // Redis has not accepted yet would be read after the client's.
      await roundTrip(conn, [...auth, ["PING"]], "+PONG\r\n");
      await roundTrip(
        conn,
        [
          ["MULTI"],
          ["DEBUG", "SLEEP", "0.5"],
          ["CLUSTER", "SETSLOT", String(slot), "NODE", target.role.id],
          ["EXEC"],
        ],
        "*2\r\n+OK\r\n+OK\r\n",
        steps.whileOwnerBusy,
      );
    } finally {
      conn.close();
    }
    await steps.beforeTarget?.();
    await this.#handOver(slot, source, target, masters);
  }

  async #slotMove(slot: number, toPort: number) {
    const masters = await this.masters();
    const target = masters.find((m) => m.role.port === toPort);
    if (!target) throw new Error(`No master on port ${toPort}`);
    const source = masters.find((m) => ownsSlot(m.role, slot));
    if (!source) throw new Error(`No master owns slot ${slot}`);
    return { masters, source, target };
  }

  /**
   * The target imports, then claims `slot` (raising its epoch), then
   * every other master in `masters` is told; telling the source again
   * after it let go changes nothing. Then waits until every master names
   * the target; one that still does not after a while is told again
   * once, as an operator checking a reshard would.
   */
  async #handOver(
    slot: number,
    source: RunningMaster,
    target: RunningMaster,
    masters: readonly RunningMaster[],
  ): Promise<void> {
    const setSlot = (port: number, ...args: string[]) =>
      this.cli([
        "-p",
        String(port),
        "cluster",
        "setslot",
        String(slot),
        ...args,
      ]);
    const tell = async (ports: readonly number[]) => {
      if (ports.includes(target.role.port)) {
        await setSlot(target.role.port, "importing", source.role.id);
      }
      for (const port of [target.role.port, ...ports]) {
        if (ports.includes(port)) await setSlot(port, "node", target.role.id);
      }
    };
    await tell(masters.map((m) => m.role.port));
    for (let round = 0;; round++) {
      const wrong = async () =>
        [...await this.ownersOf(slot)].filter(([, owner]) =>
          owner !== target.role.port
        );
      try {
        await waitUntil(
          async () => (await wrong()).length === 0,
          `every master names ${target.role.port} for slot ${slot}`,
          5_000,
        );
        return;
      } catch (error) {
        if (round > 0) {
          throw new Error(`${error}: ${JSON.stringify(await wrong())}`);
        }
      }
      await tell((await wrong()).map(([port]) => port));
    }
  }

  /** Which port each running master says owns `slot`, by asking it. */
  async ownersOf(slot: number): Promise<Map<number, number | undefined>> {
    const seen = new Map<number, number | undefined>();
    for (const { role } of await this.masters()) {
      const text = await this.nodesSeenBy(role.port);
      const owner = text.trim().split("\n").map(parseNodeLine).find((r) =>
        ownsSlot(r, slot)
      );
      seen.set(role.port, owner?.port);
    }
    return seen;
  }

  /** `CLUSTER NODES` as the node on `port` sees it. */
  nodesSeenBy(port: number): Promise<string> {
    return this.cli(["-p", String(port), "cluster", "nodes"]);
  }

  /** `SPUBLISH` calls each running master has served, by port. */
  async spublishCalls(): Promise<Map<number, number>> {
    const calls = new Map<number, number>();
    for (const { role } of await this.masters()) {
      const text = await this.cli([
        "-p",
        String(role.port),
        "info",
        "commandstats",
      ]);
      const match = /cmdstat_spublish:calls=(\d+)/.exec(text);
      calls.set(role.port, Number(match?.[1] ?? 0));
    }
    return calls;
  }

  /** Kills every node (SIGKILL): the whole cluster down. */
  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }

  /** Restarts every stopped node; each rejoins from its `nodes.conf`. */
  async restartAll(): Promise<void> {
    await Promise.all(
      this.nodes.filter((n) => n.pid === undefined).map((n) => n.restart()),
    );
    await this.waitHealthy();
  }

  /** Stops every node and removes the temp dir. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  /** Runs `redis-cli` on 127.0.0.1 with the cluster's password; its output. */
  async cli(args: string[]): Promise<string> {
    const auth = this.#password
      ? ["-a", this.#password, "--no-auth-warning"]
      : [];
    const out = await new Deno.Command(redisCliPath, {
      args: ["-h", "127.0.0.1", ...auth, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(
        `redis-cli ${args.join(" ")} failed: ${
          new TextDecoder().decode(out.stderr)
        }${text}`,
      );
    }
    return text;
  }
}
