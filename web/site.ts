/**
 * What one running app shares with every request's context: its settings,
 * build, static folder and logger. Types only.
 *
 * @module
 */

import type { BuildManifest } from "./build_manifest.ts";
import type { ResolvedConfig } from "./page_props.ts";
import type { WebLogger } from "./logger.ts";

/** One app's serving state, ready before its first request. */
export interface Site {
  readonly config: ResolvedConfig;
  /** The islands' bundles; changes in development mode. */
  manifest(): BuildManifest | null;
  /** Tags `asset()` URLs; changes whenever static files or bundles do. */
  readonly buildId: string;
  /** static/ under the app's root. */
  readonly staticDir: URL;
  readonly logger: WebLogger;
}
