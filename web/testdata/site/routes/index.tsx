import { signal } from "@preact/signals";
import Counter from "../islands/Counter.tsx";
import type { Handlers, PageProps } from "../../../route_types.ts";

interface Data {
  readonly start: number;
}

export const handler: Handlers<unknown, Data> = {
  GET() {
    return { data: { start: 41 } };
  },
};

export default function Home({ data }: PageProps<Data>) {
  return (
    <main>
      <h1>Home</h1>
      <Counter
        count={signal(data.start)}
        since={new Date(0)}
        tags={new Set(["a"])}
        note="</script><b>x</b>"
      />
    </main>
  );
}
