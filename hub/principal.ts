/**
 * Who is calling. Its own file, below everything else, so the connection
 * can hold one without importing the options (which import the hub's
 * definition, which imports the lifetime manager, which holds connections).
 *
 * @module
 */

/** Who is calling: the user id (a token's `sub`) and the token's claims. */
export interface Principal {
  /** Connections of the same user share it; `Clients.user(id)` targets it. */
  readonly userId: string;
  /** The verified claims, as the hub method sees them in `ctx.user`. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Epoch ms after which the connection is closed; none means never. */
  readonly expiresAt?: number;
}
