/**
 * `deno run -A tests/smoke/official_client_smoke.ts http://127.0.0.1:8000`
 * (or the Node bundle of it): the article's scenario against a running
 * server; prints one result line and exits non-zero on failure.
 *
 * @module
 */

import process from "node:process";
import { runArticleScenario } from "./article_scenario.ts";

const url = process.argv[2] ?? "http://127.0.0.1:8000";
try {
  const id = await runArticleScenario(url);
  console.log(`smoke: article scenario ok against ${url} (connection ${id})`);
  process.exit(0);
} catch (error) {
  console.error(`smoke: article scenario FAILED against ${url}: ${error}`);
  process.exit(1);
}
