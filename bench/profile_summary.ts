/**
 * Prints the top self-time functions of a V8 `.cpuprofile` (from
 * `BENCH_PROFILE_DIR=dir deno task bench ...`), so a hot spot can be named
 * without opening DevTools.
 *
 * Run: deno run --allow-read bench/profile_summary.ts <file.cpuprofile> [top=25] [filter]
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self-sample share per function, highest first. */
export function summarize(
  profile: { nodes: ProfileNode[]; samples: number[] },
): { name: string; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.split("/").slice(-2).join("/");
    const name = `${frame.functionName || "(anonymous)"} ${file}:${
      frame.lineNumber + 1
    }`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length || 1;
  return [...counts].map(([name, n]) => ({ name, share: n / total }))
    .sort((a, b) => b.share - a.share);
}

if (import.meta.main) {
  const [file, top = "25", filter = ""] = Deno.args;
  const rows = summarize(JSON.parse(await Deno.readTextFile(file)));
  for (
    const row of rows.filter((r) => r.name.includes(filter)).slice(
      0,
      Number(top),
    )
  ) {
    console.log(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
}
