/**
 * Renders a page inside its layouts and `_app` to a full HTML document,
 * with `<Head>` elements, island props and island bundles injected. A page
 * that uses no island gets no script at all.
 *
 * Async components (pages, layouts, `_app`) are awaited outermost-last
 * before the one synchronous render, as Fresh does, since
 * preact-render-to-string renders synchronously.
 *
 * @module
 */

import { Fragment, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, type IslandUse } from "./island_marker.ts";
import { collectHead } from "./head.ts";
import { setBuildId } from "./asset.ts";
import { jsonForScript } from "./serialize.ts";
import { BUILD_ID_ATTRIBUTE, PROPS_SCRIPT_ID } from "./client/boot.ts";
import { BUILD_URL_PREFIX, type BuildManifest } from "./build_manifest.ts";
import type { PageProps, RouteComponent } from "./page_props.ts";

/** What the document is made of. */
export interface DocumentInput<State> {
  /** The page's markup (null: layouts and `_app` only). */
  readonly vnode: VNode | null;
  /** Layouts, outermost first. */
  readonly layouts: readonly RouteComponent<State>[];
  readonly app: RouteComponent<State> | null;
  /** Props every layout and `_app` gets (minus `Component`). */
  readonly props: Omit<PageProps<unknown, State>, "Component">;
  readonly manifest: BuildManifest | null;
  readonly buildId: string;
}

/** Builds the document; a Response from an async component wins. */
export async function renderDocument<State>(
  input: DocumentInput<State>,
): Promise<string | Response> {
  let child: VNode | null = input.vnode;
  const wrappers = [...input.layouts].reverse();
  if (input.app) wrappers.push(input.app);
  for (const wrapper of wrappers) {
    const inner = child;
    const props = { ...input.props, data: null, Component: () => inner };
    const result = await renderComponent(wrapper, props);
    if (result instanceof Response) return result;
    child = result;
  }
  setBuildId(input.buildId);
  const { result, islands } = collectIslands(() =>
    collectHead(() => renderToString(child ?? h(Fragment, null)))
  );
  let html = completeDocument(result.result);
  const head = result.head.map((node) => renderToString(node)).join("");
  if (/<title[\s>]/.test(head)) html = withoutFirstTitle(html);
  html = insertBefore(html, "</head>", head);
  if (islands.length > 0) {
    const tags = islandTags(islands, input.manifest, input.buildId);
    html = insertBefore(
      insertBefore(html, "</head>", tags.head),
      "</body>",
      tags.body,
    );
  }
  return `<!DOCTYPE html>${html}`;
}

/** Calls an async component or makes a vnode of a plain one. */
export async function renderComponent<State>(
  component: RouteComponent<State>,
  props: PageProps<unknown, State>,
): Promise<VNode | Response | null> {
  if (component.constructor.name === "AsyncFunction") {
    return await (component as (
      p: unknown,
    ) => Promise<VNode | Response | null>)(
      props,
    );
  }
  // deno-lint-ignore no-explicit-any
  return h(component as any, props) as VNode;
}

/** Adds the `<html>`, `<head>` and `<body>` an app without `_app` left out. */
function completeDocument(html: string): string {
  let doc = html;
  if (!/<body[\s>]/.test(doc)) doc = `<body>${doc}</body>`;
  if (!/<head[\s>]/.test(doc)) {
    doc = `<head><meta charset="utf-8"></head>${doc}`;
  }
  if (!/^<html[\s>]/.test(doc)) doc = `<html>${doc}</html>`;
  return doc;
}

function withoutFirstTitle(html: string): string {
  const end = html.indexOf("</head>");
  const head = end === -1 ? html : html.slice(0, end);
  const stripped = head.replace(/<title[\s>][\s\S]*?<\/title>/, "");
  return stripped + html.slice(head.length);
}

/** Script and preload tags for the islands a render used. */
export function islandTags(
  islands: readonly IslandUse[],
  manifest: BuildManifest | null,
  buildId: string,
): { head: string; body: string } {
  const modules = [...new Set(islands.map((use) => use.module))];
  const preloads = new Set<string>();
  const scripts: string[] = [];
  for (const module of modules) {
    const asset = manifest?.islands[module];
    if (!asset) {
      throw new Error(
        `Island ${module} is not in static/build/manifest.json; run deno task build`,
      );
    }
    for (const chunk of asset.imports) preloads.add(chunk);
    scripts.push(
      `<script type="module" src="${BUILD_URL_PREFIX}${asset.file}"></script>`,
    );
  }
  const records = islands.map(({ module, exportName, props }) => ({
    module,
    exportName,
    props,
  }));
  const json = jsonForScript(records);
  const head = [...preloads].map((chunk) =>
    `<link rel="modulepreload" href="${BUILD_URL_PREFIX}${chunk}">`
  ).join("");
  // Build ids are [A-Za-z0-9_-] (web/build_id.ts): safe in an attribute.
  const body =
    `<script type="application/json" ${BUILD_ID_ATTRIBUTE}="${buildId}" ` +
    `id="${PROPS_SCRIPT_ID}">${json}</script>` + scripts.join("");
  return { head, body };
}

function insertBefore(html: string, marker: string, text: string): string {
  const at = html.lastIndexOf(marker);
  return at === -1 ? html + text : html.slice(0, at) + text + html.slice(at);
}
