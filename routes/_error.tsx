/**
 * The page shown when a route fails. Details stay in the server log.
 *
 * @module
 */

/** 500. */
export default function ServerError() {
  return (
    <main class="layout narrow">
      <div class="card">
        <h1>Something went wrong</h1>
        <p>
          The server could not build this page. It has been logged; try again,
          or go back to the <a href="/">live chart</a>.
        </p>
      </div>
    </main>
  );
}
