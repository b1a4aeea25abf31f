import assert from "node:assert/strict";
import { withKvWrite } from "./start.ts";

const TASK = ["run", "--allow-read", "--allow-write=static/build", "main.ts"];

Deno.test("start: KV_PATH is added to the existing write list, and only a file path", () => {
  assert.deepEqual(withKvWrite(TASK, "/var/lib/sb/kv.sqlite"), [
    "run",
    "--allow-read",
    "--allow-write=static/build,/var/lib/sb/kv.sqlite",
    "main.ts",
  ]);
  assert.deepEqual(withKvWrite(TASK, undefined), TASK);
  assert.deepEqual(withKvWrite(TASK, ""), TASK);
  assert.deepEqual(withKvWrite(TASK, ":memory:"), TASK);
  assert.deepEqual(withKvWrite(["run", "main.ts"], "kv.db"), [
    "run",
    "--allow-write=kv.db",
    "main.ts",
  ]);
  const open = ["run", "--allow-write", "main.ts"];
  assert.deepEqual(withKvWrite(open, "kv.db"), open);
  assert.throws(() => withKvWrite(TASK, "a.db,/etc"), RangeError);
});
