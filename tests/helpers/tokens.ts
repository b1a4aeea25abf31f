/**
 * Access tokens for the chart app's users, signed with the secret a test
 * gave the app (`JWT_SECRET`), as `/api/token` would issue them.
 *
 * @module
 */

import { TokenIssuer } from "../../chart/token_issuer.ts";

/** A token for `user` signed with `secret`. */
export async function tokenFor(user: string, secret: string): Promise<string> {
  const kv = await Deno.openKv(":memory:");
  try {
    const issuer = await TokenIssuer.open(kv, { secret });
    return (await issuer.issue(user)).access_token;
  } finally {
    kv.close();
  }
}
