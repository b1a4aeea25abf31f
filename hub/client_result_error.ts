/**
 * How a client result fails without an answer. Its own file so the local
 * and the remote client-result tables can both use it without importing
 * each other.
 *
 * @module
 */

/** Why a client result failed without an answer from the client. */
export type ClientResultFailure =
  | "timeout"
  | "disconnected"
  | "not-connected"
  | "too-many-pending";

/**
 * A client result failed without an answer: `reason` says why. (A client
 * whose handler threw, or that has no handler, answers with an error; that
 * rejects with a `HubError` holding the client's text instead.)
 */
export class ClientResultError extends Error {
  /** Why no answer came. */
  readonly reason: ClientResultFailure;

  /** An error for `reason` with a sentence-case message. */
  constructor(reason: ClientResultFailure, message: string) {
    super(message);
    this.name = "ClientResultError";
    this.reason = reason;
  }
}
