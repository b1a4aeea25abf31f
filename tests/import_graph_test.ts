/**
 * The import graph, read with `deno info --json` over every entry point and
 * every file under the project's directories, has no cycle and keeps the
 * layer order documented in docs/architecture.md. Type-only imports count:
 * a type cycle still ties files together.
 */

import assert from "node:assert/strict";
import {
  findCycles,
  type ImportEdge,
  readImportGraph,
  repoRoot,
  sourceFiles,
} from "./helpers/import_graph.ts";
import {
  hubLayerNames,
  type HubLayers,
  layerOf,
  layerViolations,
  parseHubLayers,
} from "./helpers/layer_rules.ts";

const projectDirs = [
  "main.ts",
  "start.ts",
  "start_test.ts",
  "app_state.ts",
  "define.ts",
  "hub",
  "chart",
  "accounts",
  "web",
  "routes",
  "islands",
  "bench",
  "tests",
];

const files = await sourceFiles(projectDirs);
const graph = readImportGraph(files);
const layers = parseHubLayers(
  await Deno.readTextFile(`${repoRoot}docs/architecture.md`),
);

Deno.test("import graph: deno info reports type-only imports as edges", async () => {
  const edges = await graph;
  const typeOnly = edges.filter((e) => e.local && e.typeOnly);
  assert.ok(
    typeOnly.length > 0,
    "no type-only edge: cycles through types would go unseen",
  );
  // hub/options_validation.ts imports options.ts only with `import type`.
  const source = await Deno.readTextFile(
    `${repoRoot}hub/options_validation.ts`,
  );
  assert.match(source, /import type \{[^}]*\} from "\.\/options\.ts"/);
  assert.ok(
    typeOnly.some((e) =>
      e.from === "hub/options_validation.ts" && e.to === "hub/options.ts"
    ),
    "the `import type` of hub/options_validation.ts is missing from the graph",
  );
});

Deno.test("import graph: no cycle among the project's files", async () => {
  const cycles = findCycles(await graph);
  assert.deepEqual(
    cycles.map((c) => ({ files: c.files.join(", "), cycles: c.cycles })),
    [],
    `${cycles.length} import cycle(s); break each at one edge`,
  );
});

Deno.test("import graph: every import follows the layer order of docs/architecture.md", async () => {
  assert.deepEqual(layerViolations(await graph, layers), []);
});

Deno.test("import graph: every hub file sits in one documented layer", () => {
  const unplaced = hubSources(files).filter((f) =>
    layerOf(f, layers) === undefined
  );
  assert.deepEqual(
    unplaced,
    [],
    "add these to the hub diagram in docs/architecture.md",
  );
  const missing = [...layers.keys()].filter((entry) =>
    !files.some((f) => f.startsWith(entry))
  );
  assert.deepEqual(missing, [], "the diagram names files that do not exist");
});

Deno.test("import graph: hub/protocol/ uses no Deno API", async () => {
  const protocol = files.filter((f) =>
    f.startsWith("hub/protocol/") && !f.endsWith("_test.ts")
  );
  assert.ok(protocol.length > 5, "protocol files not found");
  const users: string[] = [];
  for (const file of protocol) {
    const text = await Deno.readTextFile(repoRoot + file);
    if (/\bDeno\./.test(text)) users.push(file);
  }
  assert.deepEqual(users, []);
});

Deno.test("import graph: the checks catch a cycle, a type-only cycle and a layer break", () => {
  const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({
    from,
    to,
    local: true,
    typeOnly,
  });
  const cycle = findCycles([
    edge("a.ts", "b.ts"),
    edge("b.ts", "c.ts", true),
    edge("c.ts", "a.ts"),
  ]);
  assert.deepEqual(cycle, [{
    files: ["a.ts", "b.ts", "c.ts"],
    cycles: ["a.ts → b.ts → c.ts → a.ts"],
  }]);
  assert.deepEqual(
    findCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts")]),
    [],
  );
  const planted: HubLayers = new Map([["hub/lifetime_manager.ts", 2], [
    "hub/dispatcher.ts",
    1,
  ]]);
  assert.deepEqual(
    layerViolations([
      edge("hub/lifetime_manager.ts", "hub/dispatcher.ts"),
      edge("hub/dispatcher.ts", "hub/lifetime_manager.ts"),
      edge("hub/clients.ts", "web/mod.ts"),
      edge("tests/x_test.ts", "bench/run.ts"),
      edge("hub/protocol/json.ts", "hub/logger.ts"),
      edge("hub/lifetime_manager.ts", "hub/backplane/redis.ts"),
      edge("web/app.ts", "chart/chart_hub.ts"),
      edge("bench/run.ts", "tests/stress_test.ts"),
      edge("routes/index.tsx", "tests/helpers/assert.ts"),
      {
        from: "hub/logger.ts",
        to: "npm:preact@10.29.8",
        local: false,
        typeOnly: true,
      },
      // Allowed: bench → tests/helpers/, a unit test → tests/helpers/,
      // down a layer, within one layer, the app → hub and web.
      edge("bench/run.ts", "tests/helpers/app_process.ts"),
      edge("hub/group_index_test.ts", "tests/helpers/assert.ts"),
      edge("hub/dispatcher.ts", "hub/lifetime_manager.ts", true),
      edge("hub/dispatcher.ts", "hub/dispatcher.ts"),
      edge("main.ts", "web/mod.ts"),
      edge("main.ts", "hub/mod.ts"),
    ], planted),
    [
      "hub/lifetime_manager.ts → hub/dispatcher.ts: routing imports per-connection (imports only point down)",
      "hub/clients.ts → web/mod.ts: hub/ never imports web/",
      "tests/x_test.ts → bench/run.ts: tests/ never imports bench/",
      "hub/protocol/json.ts → hub/logger.ts: hub/protocol/ imports nothing of the hub outside protocol/",
      "hub/lifetime_manager.ts → hub/backplane/redis.ts: outside hub/backplane/ the hub knows the Backplane interface, never Redis",
      "web/app.ts → chart/chart_hub.ts: web/ knows nothing of the app",
      "bench/run.ts → tests/stress_test.ts: bench/ uses only tests/helpers/ from tests/",
      "routes/index.tsx → tests/helpers/assert.ts: app, web/ and hub/ code never imports tests/ (unit tests beside it may use tests/helpers/)",
      "hub/logger.ts → npm:preact@10.29.8: hub/ never imports Preact",
    ],
  );
});

Deno.test("import graph: the hub diagram is read into layers", () => {
  const rank = (f: string) => hubLayerNames[layerOf(f, layers) ?? -1];
  assert.equal(rank("hub/hub_server.ts"), "endpoints");
  assert.equal(rank("hub/dispatcher.ts"), "per-connection");
  assert.equal(rank("hub/lifetime_manager.ts"), "routing");
  assert.equal(rank("hub/protocol/json.ts"), "edges");
  assert.equal(rank("hub/logger.ts"), "edges");
  assert.equal(layerOf("hub/no_such_file.ts", layers), undefined);
  const diagram = (edges: string) =>
    [
      " ├─ endpoints   a.ts · b.ts",
      " │              c.ts (the c)",
      " ├─ per-connection  d.ts",
      " ├─ routing     e.ts",
      ` └─ edges       ${edges}`,
      "                g/ · h.ts",
      "```",
      "i.ts",
    ].join("\n");
  assert.deepEqual(
    [...parseHubLayers(diagram("f.ts"))],
    [
      ["hub/a.ts", 0],
      ["hub/b.ts", 0],
      ["hub/c.ts", 0],
      ["hub/d.ts", 1],
      ["hub/e.ts", 2],
      ["hub/f.ts", 3],
      ["hub/g/", 3],
      ["hub/h.ts", 3],
    ],
  );
  assert.throws(
    () => parseHubLayers(diagram("a.ts")),
    /hub\/a.ts is in two hub layers/,
  );
  assert.throws(
    () => parseHubLayers("no diagram"),
    /no `└─ edges` layer diagram/,
  );
});

function hubSources(all: readonly string[]): string[] {
  return all.filter((f) => f.startsWith("hub/") && !f.endsWith("_test.ts"));
}
