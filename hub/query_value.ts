/**
 * Reading one query parameter of a hub request (`id`,
 * `negotiateVersion`, `useStatefulReconnect`) case-insensitively, as
 * ASP.NET reads them, without building URLSearchParams on the hot path.
 *
 * @module
 */

/**
 * Reads a query value with ASP.NET's case-insensitive keys. A query with
 * no `%` or `+` decodes to itself, so it is split by hand: building
 * `url.searchParams` for it cost more than the rest of a negotiate's
 * routing (every negotiate and transport request reads one or two).
 */
export function queryValue(url: URL, key: string): string | null {
  const wanted = key.toLowerCase();
  const search = url.search;
  if (!/[%+]/.test(search)) return plainQueryValue(search, wanted);
  for (const [k, v] of url.searchParams) {
    if (k.toLowerCase() === wanted) return v;
  }
  return null;
}

/** `queryValue` for a query without escapes, as URLSearchParams splits it. */
function plainQueryValue(search: string, wanted: string): string | null {
  let start = search.startsWith("?") ? 1 : 0;
  while (start < search.length) {
    let end = search.indexOf("&", start);
    if (end < 0) end = search.length;
    const eq = search.indexOf("=", start);
    const split = eq >= 0 && eq < end ? eq : end;
    if (
      end > start &&
      search.slice(start, split).toLowerCase() === wanted
    ) return split < end ? search.slice(split + 1, end) : "";
    start = end + 1;
  }
  return null;
}
