/**
 * `HttpError`, as in Fresh: throw it anywhere in a handler, middleware or
 * async page and the nearest `_error` page (or the plain default) answers
 * with its status. Pure, so islands may import it through `fresh/runtime`.
 *
 * @module
 */

/** Reason phrases for the statuses a web app commonly throws. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * An error that carries the HTTP status of the response it should become.
 *
 * @example
 * ```ts
 * throw new HttpError(404, "No such item");
 * ```
 */
export class HttpError extends Error {
  /** The response status, 400–599. */
  status: number;

  /** `message` defaults to empty; the default error page then shows the reason phrase. */
  constructor(status: number, message?: string, options?: ErrorOptions) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be 400-599, got ${status}`);
    }
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }
}

/** The status an error becomes: an `HttpError`'s own, else 500. */
export function statusOf(error: unknown): number {
  return error instanceof HttpError ? error.status : 500;
}
