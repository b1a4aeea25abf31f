/**
 * Who a request is, and the function an app gives the hub to decide it.
 * In a file of its own, below the options, so authorization and the
 * connection can name the caller without importing every option.
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

/**
 * Decides who a request is. `null` lets the request in anonymously; `false`
 * refuses it with 401. It runs at negotiate and again on each transport
 * request, which must name the same user.
 */
export type Authenticate = (
  request: Request,
) => Principal | null | false | Promise<Principal | null | false>;
