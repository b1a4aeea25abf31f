/**
 * The page for paths no route matches.
 *
 * @module
 */

/** 404. */
export default function NotFound() {
  return (
    <main class="layout narrow">
      <div class="card">
        <h1>Page not found</h1>
        <p>
          Nothing lives at this address. The live chart is on the{" "}
          <a href="/">home page</a>.
        </p>
      </div>
    </main>
  );
}
