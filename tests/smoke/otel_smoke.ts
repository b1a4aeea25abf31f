/**
 * `deno run -A tests/smoke/otel_smoke.ts <deno binary>`: serves the app
 * under that Deno (in CI, Deploy's 2.5) with `OTEL_DENO=true` exporting
 * OTLP http/json to a receiver here, invokes a hub method with the
 * official client and checks that its span arrives. One result line;
 * non-zero exit on failure.
 *
 * @module
 */

import { AppProcess } from "../helpers/app_process.ts";
import { OtlpReceiver } from "../helpers/otlp_receiver.ts";
import { connect } from "../helpers/signalr_client.ts";
import { waitUntil } from "../helpers/wait_until.ts";

const SPAN = "ChartHub/GetConnectionId";
const deno = Deno.args[0] ?? Deno.execPath();
const receiver = OtlpReceiver.start();
let app: AppProcess | undefined;
let failure: unknown;
try {
  app = await AppProcess.start(
    "main.ts",
    receiver.env({ KV_PATH: ":memory:" }),
    deno,
  );
  const conn = await connect(app.url, "/chart");
  try {
    await conn.invoke("GetConnectionId");
  } finally {
    await conn.stop();
  }
  await waitUntil(
    () =>
      receiver.spans().some((s) =>
        s.name === SPAN && s.attributes["rpc.system"] === "signalr"
      ),
    `span ${SPAN}`,
    10_000,
  );
} catch (error) {
  failure = error;
} finally {
  // Deno may hang in its flush at exit (denoland/deno#33157): short grace.
  await app?.stop("SIGTERM", 3_000);
  await receiver.close();
}
if (failure === undefined) {
  console.log(`smoke: OTel span ${SPAN} received from ${deno}`);
} else {
  console.error(`smoke: OTel smoke FAILED under ${deno}: ${failure}`);
  if (app) console.error(app.log.join("\n"));
  Deno.exit(1);
}
