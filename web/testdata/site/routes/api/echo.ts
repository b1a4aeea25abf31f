import type { Handlers } from "../../../../route_types.ts";

export const handler: Handlers<unknown> = {
  async POST(ctx) {
    return Response.json({ echo: await ctx.req.json() });
  },
};
