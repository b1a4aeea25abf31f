/**
 * `<Head>`, as in Fresh: elements a page or layout wants in the document's
 * `<head>` (a title, meta tags). During a server render they are collected
 * and inserted before `</head>`; in the browser the component renders
 * nothing. Imports only Preact, so islands may use it.
 *
 * The collector is module state, safe because server renders are
 * synchronous (preact-render-to-string) and set it only for their duration.
 *
 * @module
 */

import { type ComponentChildren, Fragment, h, type VNode } from "preact";

/** Props of `<Head>`. */
export interface HeadProps {
  /** Elements for the document head. */
  children?: ComponentChildren;
}

let collected: VNode[] | null = null;

/** Moves its children into the document `<head>` on the server. */
export function Head(props: HeadProps): null {
  collected?.push(h(Fragment, null, props.children));
  return null;
}

/** Runs a synchronous render and returns what `<Head>` asked for. */
export function collectHead<T>(render: () => T): { result: T; head: VNode[] } {
  if (collected) throw new Error("collectHead() cannot be nested");
  const head: VNode[] = [];
  collected = head;
  try {
    return { result: render(), head };
  } finally {
    collected = null;
  }
}
