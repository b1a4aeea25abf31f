import type { AppProps } from "../../../route_table.ts";

export default function App({ Component }: AppProps) {
  return (
    <html lang="en">
      <head>
        <title>fixture</title>
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
