import type { Handlers } from "../../../route_types.ts";

export const handler: Handlers<unknown> = {
  GET() {
    throw new Error("kaboom");
  },
};

export default function Boom() {
  return <p>never</p>;
}
