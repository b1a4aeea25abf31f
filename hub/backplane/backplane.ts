/**
 * The seam between one hub process and the others.
 *
 * Every cross-process operation is a typed, JSON-serializable message. The
 * lifetime manager delivers to its own connections first and publishes only
 * so other processes can serve theirs; a backplane implements transport
 * (publish, interest in scopes), never routing. In-memory (`memory.ts`) and
 * Redis (`redis.ts`) pass the same contract suite.
 *
 * @module
 */

/**
 * Who a message is for. Values are immutable: targeting helpers return new
 * ones. `except` lists connection ids to leave out.
 */
export type Target =
  | { readonly kind: "all"; readonly except?: readonly string[] }
  | { readonly kind: "connections"; readonly ids: readonly string[] }
  | { readonly kind: "users"; readonly ids: readonly string[] }
  | {
    readonly kind: "groups";
    readonly names: readonly string[];
    readonly except?: readonly string[];
  };

/** A scope a process can be interested in; Redis maps each to a channel. */
export type Scope =
  | "all"
  | `connection:${string}`
  | `user:${string}`
  | `group:${string}`
  | `node:${string}`;

/** A server→client invocation for whatever connections `target` names. */
export interface InvokeMessage {
  readonly kind: "invoke";
  readonly target: Target;
  readonly method: string;
  readonly args: readonly unknown[];
  /**
   * W3C `traceparent` of the span that sent it, present only while
   * OpenTelemetry is on: the delivering process continues that trace.
   * Plain text in the message, so every backplane carries it.
   */
  readonly traceparent?: string;
}

/** Add or remove a connection another process holds; answered by an ack. */
export interface GroupMessage {
  readonly kind: "group";
  readonly op: "add" | "remove";
  readonly connectionId: string;
  readonly group: string;
  /** Unique per request on the sending node. */
  readonly requestId: string;
}

/** The answer to a `GroupMessage`, sent to the requesting node's scope. */
export interface AckMessage {
  readonly kind: "ack";
  readonly requestId: string;
  /** The node that asked; the ack is published to `node:<to>`. */
  readonly to: string;
  /** Why the change was refused (e.g. the group cap), absent on success. */
  readonly error?: string;
}

/** One group's members on the sending node. */
export interface PresenceEntry {
  readonly group: string;
  /** Connections in the group there; 0 means none any more. */
  readonly connections: number;
  /** Distinct signed-in users among them (capped; anonymous not listed). */
  readonly users: readonly string[];
}

/**
 * A node's membership, sent to every node: in full every `ttlMs / 2`, and
 * for changed groups as they change (coalesced). Receivers keep each entry
 * `ttlMs` unless refreshed, so a node that dies without a word drops out.
 */
export interface PresenceMessage {
  readonly kind: "presence";
  /** How long receivers keep these entries; 0 means the node is leaving. */
  readonly ttlMs: number;
  /** The sender's own totals. */
  readonly node: { readonly connections: number; readonly users: number };
  readonly groups: readonly PresenceEntry[];
}

/**
 * A client-result call for a connection another process holds (ASP.NET's
 * `InvokeAsync` across servers), sent to `connection:<connectionId>`.
 */
export interface ResultRequestMessage {
  readonly kind: "result-request";
  /** Unique per pending call on the asking node. */
  readonly requestId: string;
  readonly connectionId: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** How long the holder waits for the client, as the asker does. */
  readonly timeoutMs: number;
}

/** The outcome of a `ResultRequestMessage`, sent to `node:<to>`. */
export interface ResultAnswerMessage {
  readonly kind: "result-answer";
  readonly requestId: string;
  /** The asking node. */
  readonly to: string;
  /** The client's return value (when neither `error` nor `failure`). */
  readonly result?: unknown;
  /** The client's error text: its handler threw or is missing. */
  readonly error?: string;
  /** No answer came: a `ClientResultFailure` and its message. */
  readonly failure?: { readonly reason: string; readonly message: string };
}

/** Every message a backplane carries. */
export type BackplaneMessage =
  | InvokeMessage
  | GroupMessage
  | AckMessage
  | PresenceMessage
  | ResultRequestMessage
  | ResultAnswerMessage;

/** What a backplane hands to the node it serves. */
export interface BackplaneNode {
  /** This process's id, unique across the cluster. */
  readonly id: string;
  /** Called for each message another process published. Never throws. */
  receive(message: BackplaneMessage, from: string): void;
}

/** Health, for `/healthz` and `/metrics`. */
export interface BackplaneStatus {
  /** `"memory"`, `"redis"`, ... */
  readonly name: string;
  /** False while the backplane cannot reach the other processes. */
  readonly healthy: boolean;
  /** Human-readable state, never a secret (no passwords in URLs). */
  readonly detail: string;
  /** Messages not delivered to other processes because it was down. */
  readonly dropped: number;
}

/**
 * Transport between hub processes. Implementations never buffer without
 * bound: while down, `publish` drops and counts.
 */
export interface Backplane {
  /** Connects and starts delivering other processes' messages to `node`. */
  start(node: BackplaneNode): Promise<void>;
  /**
   * Sends to the other processes interested in the message's scope. Resolves
   * once handed off (or dropped while down); never rejects.
   */
  publish(message: BackplaneMessage): Promise<void>;
  /**
   * This process now holds something in `scope`; called on 0→1 only.
   * Resolves once other processes' messages to `scope` will arrive (at
   * once while down); never rejects. Awaiting it before a handshake
   * completes closes the race where a message to a brand-new connection
   * is published before its channel is subscribed, as ASP.NET's Redis
   * lifetime manager does.
   */
  subscribe(scope: Scope): Promise<void>;
  /** This process no longer holds anything in `scope`; called on 1→0. */
  unsubscribe(scope: Scope): void;
  /** Current health. */
  status(): BackplaneStatus;
  /** Stops delivering and releases connections. */
  close(): Promise<void>;
}

/**
 * The scopes a message must reach. A message naming several scopes of one
 * kind (two groups, three users) is sent once to `all` so that each process
 * receives it once and de-duplicates locally.
 */
export function scopesOf(message: BackplaneMessage): Scope[] {
  switch (message.kind) {
    case "ack":
    case "result-answer":
      return [`node:${message.to}`];
    case "presence":
      return ["all"];
    case "group":
    case "result-request":
      return [`connection:${message.connectionId}`];
    case "invoke": {
      const t = message.target;
      if (t.kind === "all") return ["all"];
      const names = t.kind === "groups" ? t.names : t.ids;
      if (names.length !== 1) return ["all"];
      const prefix = t.kind === "groups"
        ? "group"
        : t.kind === "users"
        ? "user"
        : "connection";
      return [`${prefix}:${names[0]}`];
    }
  }
}
