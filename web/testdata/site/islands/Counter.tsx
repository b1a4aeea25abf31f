import type { Signal } from "@preact/signals";

interface Props {
  count: Signal<number>;
  since: Date;
  tags: Set<string>;
  note: string;
}

export default function Counter({ count, since, tags, note }: Props) {
  return (
    <div class="counter">
      <output data-testid="count">{count}</output>
      <span data-testid="since">{since.toISOString()}</span>
      <span data-testid="tags">{[...tags].join(",")}</span>
      <span data-testid="note">{note}</span>
      <button type="button" onClick={() => count.value++}>+1</button>
    </div>
  );
}
