/**
 * Marks islands during a server render.
 *
 * A Preact `options.vnode` hook swaps each registered island component for
 * a boundary that wraps the island's markup in
 * `<switchboard-island data-island="N">` and records its serialized props;
 * the client boot hydrates exactly those elements. An island used inside
 * another island is left unmarked: it hydrates as part of its parent.
 *
 * The hook only acts inside `collectIslands()`, whose render is synchronous
 * (preact-render-to-string), so one module-level "current render" is safe.
 *
 * @module
 */

import {
  type ComponentType,
  createContext,
  h,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { encode, type Encoded } from "./serialize.ts";

/** The custom element that bounds an island in the HTML. */
export const ISLAND_TAG = "switchboard-island";

/** How an island is known: its module (file name) and export name. */
export interface IslandId {
  /** File name in islands/ without extension, e.g. `LiveChart`. */
  readonly module: string;
  /** The export, `default` or a named export. */
  readonly exportName: string;
}

/** One island instance found during a render. */
export interface IslandUse extends IslandId {
  /** Serialized props (see web/serialize.ts). */
  readonly props: Encoded;
}

// Grows only with the number of island exports in islands/ (bounded by files).
const registry = new Map<unknown, IslandId>();

/** Declares `component` an island; renders of it get marked from now on. */
export function registerIsland(
  // deno-lint-ignore no-explicit-any
  component: ComponentType<any>,
  id: IslandId,
): void {
  registry.set(component, id);
}

interface Collector {
  readonly uses: IslandUse[];
}

let current: Collector | null = null;
let bypass = false;
const InsideIsland = createContext(false);

/**
 * Runs a synchronous render and returns what it produced plus the islands
 * it used, in marker order.
 */
export function collectIslands<T>(render: () => T): {
  result: T;
  islands: IslandUse[];
} {
  if (current) throw new Error("collectIslands() cannot be nested");
  const collector: Collector = { uses: [] };
  current = collector;
  try {
    return { result: render(), islands: collector.uses };
  } finally {
    current = null;
  }
}

interface BoundaryProps {
  readonly island: IslandId;
  readonly component: ComponentType;
  readonly props: Record<string, unknown>;
}

function IslandBoundary({ island, component, props }: BoundaryProps) {
  const inside = useContext(InsideIsland);
  bypass = true;
  let inner: VNode;
  try {
    inner = h(component, props);
  } finally {
    bypass = false;
  }
  if (inside || !current) return inner;
  const label = `<${island.module}${
    island.exportName === "default" ? "" : "." + island.exportName
  }> prop`;
  const { children: _children, ...data } = props;
  if (_children !== undefined) {
    throw new TypeError(`${label} children: islands cannot take JSX children`);
  }
  const index = current.uses.push({ ...island, props: encode(data, label) }) -
    1;
  return h(
    InsideIsland.Provider,
    { value: true },
    h(ISLAND_TAG, { "data-island": String(index) }, inner),
  );
}

const previousVnode = options.vnode;
options.vnode = (vnode: VNode) => {
  if (current && !bypass && typeof vnode.type === "function") {
    const island = registry.get(vnode.type);
    if (island) {
      const boundary: BoundaryProps = {
        island,
        component: vnode.type as ComponentType,
        props: vnode.props as Record<string, unknown>,
      };
      (vnode as { type: unknown }).type = IslandBoundary;
      (vnode as { props: unknown }).props = boundary;
    }
  }
  previousVnode?.(vnode);
};
