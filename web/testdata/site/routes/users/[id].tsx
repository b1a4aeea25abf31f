import type { Handlers, PageProps } from "../../../../route_types.ts";

export const handler: Handlers<{ greeting: string }, string> = {
  GET(ctx) {
    return {
      data: `${ctx.state.greeting} ${ctx.params.id}`,
      headers: { "x-user": ctx.params.id },
    };
  },
};

export default function User({ data }: PageProps<string>) {
  return <p class="user">{data}</p>;
}
