/**
 * Any other path under `/api/`: a JSON 404, so API clients never get the
 * HTML page-not-found document.
 *
 * @module
 */

import { define } from "../../define.ts";
import { jsonError } from "../../accounts/api_http.ts";

/** Unknown API path. */
export const handler = define.handlers(() => jsonError(404, "Not found"));
