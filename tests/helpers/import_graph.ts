/**
 * The repository's real import graph, as `deno info --json` resolves it
 * (the import map in deno.json, `import type`, dynamic imports), reduced to
 * edges between the project's own files, plus a cycle finder over it.
 *
 * `deno info` takes one root, so the graph is read through a temporary
 * module that imports every file given.
 *
 * @module
 */

/** One import from a project file. */
export interface ImportEdge {
  /** Importing file, relative to the repository root ("hub/mod.ts"). */
  readonly from: string;
  /** Imported file relative to the root, or the bare specifier ("npm:preact@10"). */
  readonly to: string;
  /** True when `to` is a file of this repository. */
  readonly local: boolean;
  /** True when only types are imported (`import type`, `export type`). */
  readonly typeOnly: boolean;
}

interface InfoDependency {
  readonly specifier: string;
  readonly code?: { readonly specifier?: string };
  readonly type?: { readonly specifier?: string };
}

interface InfoModule {
  readonly specifier: string;
  readonly error?: string;
  readonly dependencies?: readonly InfoDependency[];
}

/** The repository root (this file is tests/helpers/import_graph.ts). */
export const repoRoot: string = new URL("../../", import.meta.url).pathname;

/** Every .ts, .tsx and .js file under `dirs` (relative to the root), sorted. */
export async function sourceFiles(dirs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) await walk(dir, found);
  return found.sort();
}

async function walk(path: string, found: string[]): Promise<void> {
  const info = await Deno.stat(repoRoot + path);
  if (info.isFile) {
    if (/\.(ts|tsx|js)$/.test(path)) found.push(path);
    return;
  }
  for await (const entry of Deno.readDir(repoRoot + path)) {
    await walk(`${path}/${entry.name}`, found);
  }
}

/** Runs `deno info --json` over `files` and returns every import they make. */
export async function readImportGraph(
  files: readonly string[],
): Promise<ImportEdge[]> {
  const dir = await Deno.makeTempDir({ prefix: "import_graph_" });
  try {
    const root = `${dir}/root.ts`;
    const lines = files.map((f) => `import ${JSON.stringify(fileUrl(f))};`);
    await Deno.writeTextFile(root, lines.join("\n") + "\n");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${repoRoot}deno.json`, root],
      cwd: repoRoot,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    if (!output.success) throw new Error(`deno info failed: ${stderr}`);
    const graph = JSON.parse(new TextDecoder().decode(output.stdout));
    return edgesOf(graph.modules, fileUrl(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function fileUrl(path: string): string {
  return new URL(path, `file://${repoRoot}`).href;
}

function edgesOf(modules: readonly InfoModule[], base: string): ImportEdge[] {
  const errors = modules.filter((m) => m.error && m.specifier.startsWith(base));
  if (errors.length > 0) {
    const list = errors.map((m) => `${m.specifier}: ${m.error}`);
    throw new Error(`deno info could not resolve:\n${list.join("\n")}`);
  }
  const edges: ImportEdge[] = [];
  for (const module of modules) {
    if (!module.specifier.startsWith(base)) continue;
    const from = module.specifier.slice(base.length);
    for (const dep of module.dependencies ?? []) {
      const target = dep.code?.specifier ?? dep.type?.specifier;
      if (target === undefined) continue;
      const local = target.startsWith(base);
      edges.push({
        from,
        to: local ? target.slice(base.length) : target,
        local,
        typeOnly: dep.code?.specifier === undefined,
      });
    }
  }
  return edges;
}

/** Files tied together by imports, and the cycles that tie them. */
export interface ImportCycle {
  /** Every file of the strongly connected component, sorted. */
  readonly files: readonly string[];
  /**
   * A shortest cycle through each file, without repeats, shortest first,
   * each a closed path ("a.ts → b.ts → a.ts"): the edges to break.
   */
  readonly cycles: readonly string[];
}

/** Every group of local files that import each other, directly or not. */
export function findCycles(edges: readonly ImportEdge[]): ImportCycle[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (!edge.local) continue;
    const list = next.get(edge.from) ?? [];
    list.push(edge.to);
    next.set(edge.from, list);
  }
  return stronglyConnected(next)
    .filter((c) => c.length > 1 || next.get(c[0])?.includes(c[0]))
    .map((files) => ({ files, cycles: shortestCycles(files, next) }));
}

/** Tarjan's algorithm, iterative so a deep graph cannot blow the stack. */
function stronglyConnected(next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      if (i === 0) {
        index.set(node, index.size);
        low.set(node, index.get(node)!);
        stack.push(node);
        onStack.add(node);
      }
      const targets = next.get(node) ?? [];
      if (i < targets.length) {
        frame[1] = i + 1;
        const target = targets[i];
        if (!index.has(target)) work.push([target, 0]);
        else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        components.push(component.sort());
      }
    }
  }
  return components;
}

function shortestCycles(
  component: readonly string[],
  next: Map<string, string[]>,
): string[] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const start of component) {
    const path = closedPath(start, component, next);
    const ring = path.slice(0, -1);
    const first = ring.indexOf([...ring].sort()[0]);
    const key = [...ring.slice(first), ...ring.slice(0, first)].join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(path);
  }
  return cycles
    .sort((a, b) => a.length - b.length)
    .map((path) => path.join(" → "));
}

/** A shortest cycle through `start` inside the component (breadth first). */
function closedPath(
  start: string,
  component: readonly string[],
  next: Map<string, string[]>,
): string[] {
  const members = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const target of next.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) return [...pathTo(node, cameFrom), start];
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, node);
      queue.push(target);
    }
  }
  return [start, start]; // unreachable: every member of a component is on a cycle
}

function pathTo(node: string, cameFrom: Map<string, string>): string[] {
  const path = [node];
  for (let at = cameFrom.get(node); at !== undefined; at = cameFrom.get(at)) {
    path.unshift(at);
  }
  return path;
}
