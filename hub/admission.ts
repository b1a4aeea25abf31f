/**
 * Who a request is, and whether it may in: authentication, then an
 * endpoint's `authorize` rule. Shared by hubs and raw connection servers,
 * which answer every negotiate and transport request through it.
 *
 * @module
 */

import type { Authenticate, Principal } from "./options.ts";
import type { Logger } from "./logger.ts";
import { type Authorize, authorize } from "./authorization.ts";

/** What admission needs from an endpoint. */
export interface AdmissionPolicy {
  readonly authenticate?: Authenticate;
  /** The endpoint's rule; none lets every authenticated caller in. */
  readonly rule?: Authorize;
  readonly rolesClaim: string;
  readonly logger: Logger;
}

/** A refusal, counted and logged by the endpoint. */
export type Refuse = (status: number, message: string, why: string) => Response;

/**
 * The principal (null: anonymous), or the refusal: 401 for a bad token or
 * an anonymous caller the rule needs signed in, 403 for one it refuses.
 */
export async function admit(
  request: Request,
  policy: AdmissionPolicy,
  refuse: Refuse,
): Promise<Principal | null | Response> {
  let principal: Principal | null | false = null;
  try {
    principal = await policy.authenticate?.(request) ?? null;
  } catch (error) {
    policy.logger.log("warn", "auth.failed", { error });
    principal = false;
  }
  if (principal === false) return refuse(401, "Unauthorized", "auth");
  if (policy.rule === undefined) return principal;
  const verdict = authorize(policy.rule, principal, policy.rolesClaim);
  if (verdict === "allowed") return principal;
  return verdict === "anonymous"
    ? refuse(401, "Unauthorized", "authorize")
    : refuse(403, "Forbidden", "authorize");
}
