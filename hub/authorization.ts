/**
 * Authorization, as ASP.NET's `[Authorize]`: a rule for a whole hub
 * (checked on negotiate and on every transport request) and per method
 * (`authorized(rule, fn)`, checked before each call). Roles are read from
 * a claim of the principal (`rolesClaim`, default `roles`).
 *
 * @example
 * ```ts
 * const hub = defineHub({
 *   authorize: true, // anonymous negotiate gets 401
 *   methods: {
 *     Read: (_ctx) => "anyone signed in",
 *     Purge: authorized({ roles: ["admin"] }, (_ctx) => "admins only"),
 *   },
 * });
 * ```
 *
 * @module
 */

import type { Principal } from "./principal.ts";

/** Who may pass: signed in, with any of `roles`, and `policy` true. */
export interface AuthorizeRule {
  /** Any one of these in the roles claim lets the principal in. */
  readonly roles?: readonly string[];
  /** A further test of the principal; a throw counts as false. */
  readonly policy?: (principal: Principal) => boolean;
}

/** `true` means "any signed-in user"; a rule adds roles or a policy. */
export type Authorize = true | AuthorizeRule;

/** What an authorization check decided. */
export type AuthorizeVerdict = "allowed" | "anonymous" | "forbidden";

/** The property `authorized` marks a method with. */
const RULE = Symbol("switchboard.authorize");

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/**
 * Wraps a hub method so only principals passing `rule` may call it; a
 * refused call gets ASP.NET's error text
 * (`Failed to invoke 'X' because user is unauthorized`). The wrapper keeps
 * the method's declared parameter count, which the hub checks calls
 * against.
 *
 * @example
 * ```ts
 * const Kick = authorized(
 *   { roles: ["admin"], policy: (p) => p.claims.tenant === "acme" },
 *   (ctx, id: string) => ctx.groups.remove(id, "room"),
 * );
 * ```
 */
export function authorized<F extends AnyFunction>(rule: Authorize, fn: F): F {
  checkRule(rule);
  const wrapper = function (this: unknown, ...args: unknown[]) {
    return fn.apply(this, args);
  };
  Object.defineProperty(wrapper, "length", { value: fn.length });
  Object.defineProperty(wrapper, "name", { value: fn.name });
  Object.defineProperty(wrapper, RULE, { value: rule });
  return wrapper as unknown as F;
}

/** The rule `authorized` put on `fn`, if any. */
export function ruleOf(fn: AnyFunction): Authorize | undefined {
  return (fn as { [RULE]?: Authorize })[RULE];
}

/** Throws on a rule that could never be meant (misuse, not a refusal). */
export function checkRule(rule: Authorize): void {
  if (rule === true) return;
  if (typeof rule !== "object" || rule === null) {
    throw new TypeError("An authorize rule is true or { roles, policy }");
  }
  if (rule.roles !== undefined && !Array.isArray(rule.roles)) {
    throw new TypeError("An authorize rule's roles must be an array");
  }
  if (rule.policy !== undefined && typeof rule.policy !== "function") {
    throw new TypeError("An authorize rule's policy must be a function");
  }
}

/** Decides `rule` for `principal`; roles come from claim `rolesClaim`. */
export function authorize(
  rule: Authorize,
  principal: Principal | null,
  rolesClaim: string,
): AuthorizeVerdict {
  if (principal === null) return "anonymous";
  if (rule === true) return "allowed";
  if (rule.roles && rule.roles.length > 0) {
    const held = rolesOf(principal, rolesClaim);
    if (!rule.roles.some((role) => held.includes(role))) return "forbidden";
  }
  if (rule.policy) {
    try {
      if (rule.policy(principal) !== true) return "forbidden";
    } catch {
      return "forbidden";
    }
  }
  return "allowed";
}

/** The roles a principal holds: the claim as one string or an array. */
export function rolesOf(principal: Principal, rolesClaim: string): string[] {
  const claim = principal.claims[rolesClaim];
  if (typeof claim === "string") return [claim];
  if (Array.isArray(claim)) {
    return claim.filter((r): r is string => typeof r === "string");
  }
  return [];
}

/** ASP.NET's text for a refused method call. */
export function unauthorizedCall(target: string): string {
  return `Failed to invoke '${target}' because user is unauthorized`;
}
