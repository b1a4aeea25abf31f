/**
 * `fresh/runtime`: what pages and islands import on both sides of the wire.
 * Everything here runs in the browser too (no Deno APIs, no server code).
 *
 * @module
 */

export { asset } from "./asset.ts";
export { Head, type HeadProps } from "./head.ts";
export { HttpError } from "./http_error.ts";

/** True in the browser, false during the server render. */
export const IS_BROWSER: boolean = typeof document !== "undefined";
