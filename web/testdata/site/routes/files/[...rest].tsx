import type { PageProps } from "../../../../route_types.ts";

export default function Files({ params }: PageProps) {
  return <p class="rest">rest={params.rest}</p>;
}
