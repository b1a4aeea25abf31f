/**
 * `define.handlers`, `define.page`, … typed with the app's state, for the
 * files in routes/ (Fresh apps keep this in one module at their root).
 *
 * @module
 */

import { createDefine } from "fresh";
import type { AppState } from "./app_state.ts";

/** The define helpers of this app. */
export const define = createDefine<AppState>();
