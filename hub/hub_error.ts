/**
 * The one error class a hub method throws on purpose: its message reaches
 * the client (as ASP.NET's HubException does). Any other exception is
 * reported to the client without its text unless detailed errors are on.
 *
 * @module
 */

/** An error whose message the calling client is meant to see. */
export class HubError extends Error {
  /** Builds a hub error; write the message for the end user. */
  constructor(message: string) {
    super(message);
    this.name = "HubError";
  }
}
