/**
 * Which `Host` names the server answers. DNS rebinding points an attacker's
 * name at this server's address: the victim's browser then treats the
 * server as the attacker's own origin, so the `Origin` check passes. Only a
 * list of the names the server is really reached by stops that, the way
 * ASP.NET Core's `AllowedHosts` does.
 *
 * @module
 */

/**
 * `ALLOWED_HOSTS` ("example.com, *.example.com") as a list of lower-case
 * host names; empty (unset) allows any host. Ports are not part of an
 * entry: a name is allowed on every port.
 */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Whether `request`'s `Host` is allowed: any when `allowed` is empty or
 * holds `*`; else an exact name, or a `*.`-prefixed entry matching any
 * subdomain (not the bare domain). A request without `Host` is refused
 * when a list is set.
 */
export function hostAllowed(
  request: Request,
  allowed: readonly string[],
): boolean {
  if (allowed.length === 0 || allowed.includes("*")) return true;
  const header = request.headers.get("host");
  if (header === null) return false;
  const name = hostName(header);
  if (name === null) return false;
  return allowed.some((entry) =>
    entry.startsWith("*.")
      ? name.endsWith(entry.slice(1)) && name.length > entry.length - 1
      : name === entry
  );
}

/** The host name of a `Host` header, without port or IPv6 brackets. */
function hostName(header: string): string | null {
  let url: URL;
  try {
    url = new URL(`http://${header.trim()}`);
  } catch {
    return null;
  }
  // A header such as "a.example/x" or "u@b.example" parses as a URL too.
  if (url.username || url.pathname !== "/" || url.search || url.hash) {
    return null;
  }
  const name = url.hostname.toLowerCase();
  return name.startsWith("[") ? name.slice(1, -1) : name;
}

/** The answer to a request for a host the server does not serve. */
export function invalidHostResponse(): Response {
  return new Response("Invalid Host header", {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
