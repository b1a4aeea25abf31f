/**
 * The layer order of docs/architecture.md as checks over import edges.
 * The hub's four inner layers are read from the diagram in that document,
 * so the document and the check cannot drift apart: a hub file missing
 * from the diagram is itself a violation.
 *
 * @module
 */

import type { ImportEdge } from "./import_graph.ts";

/** The hub's inner layers, top first; imports may only point down. */
export const hubLayerNames = [
  "endpoints",
  "per-connection",
  "routing",
  "edges",
] as const;

/** Maps "hub/<file or dir/>" to its layer's rank (0 = endpoints). */
export type HubLayers = ReadonlyMap<string, number>;

const appRoots = ["main.ts", "start.ts", "app_state.ts", "define.ts"];
const appDirs = ["routes/", "islands/", "chart/", "accounts/"];

/** True for the app's files (everything the app owns above web/ and hub/). */
export function isApp(path: string): boolean {
  const base = path.replace(/_test\.(ts|tsx)$/, ".$1");
  return appRoots.includes(base) || appDirs.some((d) => path.startsWith(d));
}

/** True for a unit test beside the code (`*_test.ts` outside tests/). */
export function isUnitTest(path: string): boolean {
  return /_test\.tsx?$/.test(path) && !path.startsWith("tests/");
}

/**
 * Reads the hub's layers from the diagram in docs/architecture.md: the
 * lines from `├─ endpoints` to the end of `└─ edges`, every `name.ts` or
 * `dir/` on them belonging to the layer last named.
 */
export function parseHubLayers(doc: string): HubLayers {
  const layers = new Map<string, number>();
  let rank = -1;
  for (const line of doc.split("\n")) {
    const heading = line.match(/^\s*[├└]─ ([a-z-]+)/);
    if (heading) {
      rank = hubLayerNames.indexOf(heading[1] as typeof hubLayerNames[number]);
      if (rank < 0) throw new Error(`Unknown hub layer "${heading[1]}"`);
    } else if (rank >= 0 && !/^\s*(│|\s{4,})/.test(line)) {
      if (rank === hubLayerNames.length - 1) break;
      continue;
    }
    if (rank < 0) continue;
    const text = heading ? line.slice(line.indexOf(heading[1])) : line;
    for (const name of text.matchAll(/\b[a-z_]+(?:\.ts|\/)/g)) {
      const entry = `hub/${name[0]}`;
      if (layers.has(entry)) throw new Error(`${entry} is in two hub layers`);
      layers.set(entry, rank);
    }
  }
  if (rank !== hubLayerNames.length - 1) {
    throw new Error("docs/architecture.md has no `└─ edges` layer diagram");
  }
  return layers;
}

/** The layer rank of a hub file: its own entry, else its directory's. */
export function layerOf(path: string, layers: HubLayers): number | undefined {
  const own = layers.get(path);
  if (own !== undefined) return own;
  const slash = path.indexOf("/", "hub/".length);
  return slash < 0 ? undefined : layers.get(path.slice(0, slash + 1));
}

/** Every edge that breaks the documented order, as "from → to: why". */
export function layerViolations(
  edges: readonly ImportEdge[],
  layers: HubLayers,
): string[] {
  const found: string[] = [];
  for (const edge of edges) {
    const why = edge.local
      ? localViolation(edge.from, edge.to, layers)
      : packageViolation(edge.from, edge.to);
    if (why) found.push(`${edge.from} → ${edge.to}: ${why}`);
  }
  return found;
}

function packageViolation(from: string, to: string): string | undefined {
  const preact = /^npm:\/?(@preact\/|preact(-render-to-string)?[@/])/;
  if (from.startsWith("hub/") && preact.test(to)) {
    return "hub/ never imports Preact";
  }
  return undefined;
}

function localViolation(
  from: string,
  to: string,
  layers: HubLayers,
): string | undefined {
  return testBoundary(from, to) ?? appBoundary(from, to) ??
    webBoundary(from, to) ?? hubBoundary(from, to, layers);
}

/** bench/ and tests/ never import each other, except bench → tests/helpers/. */
function testBoundary(from: string, to: string): string | undefined {
  if (from.startsWith("tests/") && to.startsWith("bench/")) {
    return "tests/ never imports bench/";
  }
  if (
    from.startsWith("bench/") && to.startsWith("tests/") &&
    !to.startsWith("tests/helpers/")
  ) {
    return "bench/ uses only tests/helpers/ from tests/";
  }
  const inProject = !from.startsWith("tests/") && !from.startsWith("bench/");
  if (inProject && to.startsWith("bench/")) {
    return "only bench/ imports bench/";
  }
  if (inProject && to.startsWith("tests/")) {
    if (isUnitTest(from) && to.startsWith("tests/helpers/")) return undefined;
    return "app, web/ and hub/ code never imports tests/ " +
      "(unit tests beside it may use tests/helpers/)";
  }
  return undefined;
}

function appBoundary(from: string, to: string): string | undefined {
  if (!isApp(to) || isApp(from)) return undefined;
  if (from.startsWith("web/")) return "web/ knows nothing of the app";
  if (from.startsWith("hub/")) {
    return "hub/ never imports the app (routes, islands, chart/, accounts/)";
  }
  return undefined;
}

function webBoundary(from: string, to: string): string | undefined {
  if (from.startsWith("hub/") && to.startsWith("web/")) {
    return "hub/ never imports web/";
  }
  if (from.startsWith("web/") && to.startsWith("hub/")) {
    return "web/ never imports hub/ (the app joins them)";
  }
  return undefined;
}

function hubBoundary(
  from: string,
  to: string,
  layers: HubLayers,
): string | undefined {
  if (!from.startsWith("hub/") || !to.startsWith("hub/")) return undefined;
  if (isUnitTest(from)) return undefined;
  if (from.startsWith("hub/protocol/") && !to.startsWith("hub/protocol/")) {
    return "hub/protocol/ imports nothing of the hub outside protocol/";
  }
  if (
    !from.startsWith("hub/backplane/") &&
    /^hub\/backplane\/redis/.test(to)
  ) {
    return "outside hub/backplane/ the hub knows the Backplane interface, never Redis";
  }
  const a = layerOf(from, layers);
  const b = layerOf(to, layers);
  if (a === undefined || b === undefined) return undefined;
  if (b < a) {
    return `${hubLayerNames[a]} imports ${
      hubLayerNames[b]
    } (imports only point down)`;
  }
  return undefined;
}
