/**
 * The HTML document around every page.
 *
 * @module
 */

import type { PageProps } from "fresh";

/** Wraps a page in the document, its head and the site header. */
export default function App({ Component }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>Switchboard · live chart</title>
        <meta
          name="description"
          content="A live chart pushed over a SignalR-compatible hub on Deno."
        />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            Switchboard
          </a>
          <span class="tagline">SignalR-compatible real-time hub for Deno</span>
        </header>
        <Component />
        <footer class="site-footer">
          Chart hub at <code>/chart</code> · <a href="/healthz">health</a> ·
          {" "}
          <a href="/metrics">metrics</a>
        </footer>
      </body>
    </html>
  );
}
