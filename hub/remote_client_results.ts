/**
 * Client results across processes (ASP.NET since .NET 7): a call for a
 * connection this node does not hold travels over the backplane to the
 * node that does (`connection:<id>`), which runs it as a local client
 * result; the outcome comes back to the asking node (`node:<id>`).
 *
 * The asker keeps the caller's timeout; the holder applies the same one
 * to its client. A client error (its handler threw or is missing) comes
 * back as its text, a missing answer (timeout, disconnect) as the same
 * `ClientResultError` the holder saw, so callers cannot tell a remote
 * call from a local one. A connection no node holds gets no answer: the
 * call ends by timeout.
 *
 * @module
 */

import type {
  BackplaneMessage,
  ResultAnswerMessage,
  ResultRequestMessage,
} from "./backplane/backplane.ts";
import {
  ClientResultError,
  type ClientResultFailure,
} from "./client_result_error.ts";
import { HubError } from "./hub_error.ts";

/** How this node reaches the others. */
export interface ResultNode {
  /** This node's id, where answers come back to. */
  readonly id: string;
  /** Sends to the other nodes; never rejects. */
  publish(message: BackplaneMessage): unknown;
}

/** Runs a client result on a connection this node holds, never forwarding. */
export type LocalInvoke = (
  connectionId: string,
  method: string,
  args: readonly unknown[],
  timeoutMs: number,
) => Promise<unknown>;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The failure reasons an answer may carry. */
const FAILURES: readonly ClientResultFailure[] = [
  "timeout",
  "disconnected",
  "not-connected",
  "too-many-pending",
];

/** Remote client-result calls of one hub on this node, both sides. */
export class RemoteClientResults {
  readonly #node: ResultNode;
  readonly #local: LocalInvoke;
  readonly #max: number;
  readonly #pending = new Map<string, Pending>();
  #lastId = 0;

  /** Asks through `node`; serves others' requests with `local`. */
  constructor(node: ResultNode, local: LocalInvoke, maxPending: number) {
    this.#node = node;
    this.#local = local;
    this.#max = maxPending;
  }

  /** Asks the node holding `connectionId`; bounded like local calls. */
  invoke(
    connectionId: string,
    method: string,
    args: readonly unknown[],
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.#pending.size >= this.#max) {
      return Promise.reject(
        new ClientResultError(
          "too-many-pending",
          `Too many client results pending (${this.#max})`,
        ),
      );
    }
    const requestId = `q${++this.#lastId}`;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const timer = setTimeout(() => {
      this.#pending.delete(requestId);
      reject(
        new ClientResultError(
          "timeout",
          `Connection '${connectionId}' did not answer '${method}' within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    this.#pending.set(requestId, { resolve, reject, timer });
    this.#node.publish({
      kind: "result-request",
      requestId,
      connectionId,
      method,
      args: [...args],
      timeoutMs,
    });
    return promise;
  }

  /** Another node asks one of ours: run it here, send the outcome back. */
  serve(message: ResultRequestMessage, from: string): void {
    const answer = (fields: Partial<ResultAnswerMessage>) =>
      this.#node.publish({
        kind: "result-answer",
        requestId: message.requestId,
        to: from,
        ...fields,
      });
    this.#local(
      message.connectionId,
      message.method,
      message.args,
      message.timeoutMs,
    ).then(
      (result) => answer({ result }),
      (error) => answer(outcomeOf(error)),
    );
  }

  /** The outcome of one of our requests. Late or unknown ones are ignored. */
  answered(message: ResultAnswerMessage): void {
    const pending = this.#pending.get(message.requestId);
    if (!pending) return;
    this.#pending.delete(message.requestId);
    clearTimeout(pending.timer);
    const failure = message.failure;
    if (failure !== undefined) {
      const reason = FAILURES.find((r) => r === failure.reason);
      pending.reject(
        new ClientResultError(
          reason ?? "disconnected",
          String(failure.message),
        ),
      );
    } else if (message.error !== undefined) {
      pending.reject(new HubError(message.error));
    } else {
      pending.resolve(message.result);
    }
  }

  /** Rejects what is still pending (shutdown). */
  close(): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(
        new ClientResultError("disconnected", "The server is shutting down"),
      );
    }
  }
}

/** What to send back for a local call's rejection. */
function outcomeOf(error: unknown): Partial<ResultAnswerMessage> {
  if (error instanceof ClientResultError) {
    return { failure: { reason: error.reason, message: error.message } };
  }
  return { error: error instanceof Error ? error.message : String(error) };
}
