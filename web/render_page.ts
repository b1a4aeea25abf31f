/**
 * Renders a page to a full HTML document, with its islands' props and
 * bundles injected. A page that uses no island gets no script at all.
 *
 * @module
 */

import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, type IslandUse } from "./island_marker.ts";
import { jsonForScript } from "./serialize.ts";
import { PROPS_SCRIPT_ID } from "./client/boot.ts";
import type { AppProps } from "./route_table.ts";
import { BUILD_URL_PREFIX, type BuildManifest } from "./build_manifest.ts";
import type { PageProps } from "./route_types.ts";

/** What `renderPage` needs. */
export interface RenderInput<State> {
  readonly page: ComponentType<PageProps<unknown, State>>;
  readonly props: PageProps<unknown, State>;
  readonly app?: ComponentType<AppProps<State>>;
  readonly manifest: BuildManifest | null;
}

/** Renders the document; throws on a render or serialization error. */
export function renderPage<State>(input: RenderInput<State>): string {
  const { page, props, app, manifest } = input;
  const Component: ComponentType = () => h(page, props);
  const root =
    (app
      ? h(app, { Component, url: props.url, state: props.state })
      : h(DefaultApp, { Component })) as VNode;
  const { result, islands } = collectIslands(() => renderToString(root));
  const html = result.startsWith("<html") ? `<!DOCTYPE html>${result}` : result;
  if (islands.length === 0) return html;
  const { head, body } = islandTags(islands, manifest);
  return insertBefore(insertBefore(html, "</head>", head), "</body>", body);
}

function DefaultApp({ Component }: { Component: ComponentType }) {
  return h(
    "html",
    { lang: "en" },
    h(
      "head",
      null,
      h("meta", { charset: "utf-8" }),
      h("meta", {
        name: "viewport",
        content: "width=device-width, initial-scale=1",
      }),
      h("title", null, "Switchboard"),
      h("link", { rel: "stylesheet", href: "/styles.css" }),
    ),
    h("body", null, h(Component, null)),
  );
}

/** Script and preload tags for the islands a render used. */
export function islandTags(
  islands: readonly IslandUse[],
  manifest: BuildManifest | null,
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
  const body =
    `<script type="application/json" id="${PROPS_SCRIPT_ID}">${json}</script>` +
    scripts.join("");
  return { head, body };
}

function insertBefore(html: string, marker: string, text: string): string {
  const at = html.lastIndexOf(marker);
  return at === -1 ? html + text : html.slice(0, at) + text + html.slice(at);
}
