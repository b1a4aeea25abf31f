import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, registerIsland } from "./island_marker.ts";

function Inner({ label }: { label: string }) {
  return h("i", null, label);
}
function Outer({ n }: { n: number }) {
  return h("b", null, String(n), h(Inner, { label: "nested" }));
}
function Takes({ fn }: { fn: () => void }) {
  return h("span", null, typeof fn);
}
registerIsland(Inner, { module: "Inner", exportName: "default" });
registerIsland(Outer, { module: "Outer", exportName: "Named" });
registerIsland(Takes, { module: "Takes", exportName: "default" });

Deno.test("islands are wrapped in markers and their props recorded", () => {
  const page = () =>
    h("main", null, h(Outer, { n: 1 }), h(Inner, { label: "top" }));
  const { result, islands } = collectIslands(() =>
    renderToString(h(page, null))
  );
  assert.equal(
    result,
    '<main><switchboard-island data-island="0"><b>1<i>nested</i></b></switchboard-island>' +
      '<switchboard-island data-island="1"><i>top</i></switchboard-island></main>',
  );
  assert.deepEqual(islands, [
    { module: "Outer", exportName: "Named", props: { n: 1 } },
    { module: "Inner", exportName: "default", props: { label: "top" } },
  ]);
});

Deno.test("outside collectIslands nothing is marked", () => {
  assert.equal(renderToString(h(Inner, { label: "x" })), "<i>x</i>");
});

Deno.test("a function prop fails the render with the island's name", () => {
  assert.throws(
    () => collectIslands(() => renderToString(h(Takes, { fn: () => {} }))),
    { name: "TypeError", message: /<Takes> prop\.fn is a function/ },
  );
});
