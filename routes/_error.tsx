/**
 * The page shown when a request fails: thrown errors (500, details stay in
 * the server log) and `HttpError`s such as 405. Under `/api/` the answer is
 * JSON instead, so API clients never get an HTML document.
 *
 * @module
 */

import { HttpError, page } from "fresh";
import { define } from "../define.ts";
import { jsonError } from "../accounts/api_http.ts";

/** JSON for the API, the page for everything else. */
export const handler = define.handlers((ctx) => {
  const status = statusOf(ctx.error);
  if (ctx.url.pathname.startsWith("/api/")) {
    return jsonError(status, reason(status));
  }
  return page(undefined, { status });
});

function statusOf(error: unknown): number {
  return error instanceof HttpError ? error.status : 500;
}

function reason(status: number): string {
  if (status === 405) return "Method not allowed";
  return status >= 500 ? "Internal server error" : "Request failed";
}

/** The error page. */
export default define.page(function ErrorPage({ error }) {
  const status = statusOf(error);
  return (
    <main class="layout narrow">
      <div class="card">
        <h1>{status >= 500 ? "Something went wrong" : "That did not work"}</h1>
        <p>
          {status >= 500
            ? "The server could not build this page. It has been logged; try again, or go back to the "
            : `The server answered ${status} to this request. Go back to the `}
          <a href="/">live chart</a>.
        </p>
      </div>
    </main>
  );
});
