import assert from "node:assert/strict";
import { UploadStreams } from "./upload_streams.ts";
import { HubError } from "./hub_error.ts";

async function read(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

Deno.test("uploads: items buffered before and after the reader starts, in order", async () => {
  const uploads = new UploadStreams(10);
  const opened = uploads.open(["1"]);
  assert.ok(Array.isArray(opened));
  const stream = opened[0];
  uploads.item("1", "a");
  const reading = read(stream);
  uploads.item("1", "b");
  assert.equal(uploads.complete("1"), true);
  assert.deepEqual(await reading, ["a", "b"]);
  assert.equal(uploads.size, 0);
  assert.equal(uploads.item("1", "late"), false);
});

Deno.test("uploads: overflow fails the stream after what was buffered", async () => {
  const uploads = new UploadStreams(2);
  const opened = uploads.open(["7"]);
  assert.ok(Array.isArray(opened));
  assert.equal(uploads.item("7", 1), true);
  assert.equal(uploads.item("7", 2), true);
  assert.equal(uploads.item("7", 3), false);
  assert.equal(uploads.size, 0);
  const seen: unknown[] = [];
  await assert.rejects(async () => {
    for await (const item of opened[0]) seen.push(item);
  }, (e: unknown) => e instanceof HubError && /exceeded 2/.test(e.message));
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("uploads: duplicate or reused ids are refused, one reader only", () => {
  const uploads = new UploadStreams(2);
  assert.equal(uploads.open(["1", "1"]), "Duplicate stream ids");
  const opened = uploads.open(["1"]);
  assert.ok(Array.isArray(opened));
  assert.match(String(uploads.open(["2", "1"])), /already in use/);
  assert.equal(uploads.size, 1);
  opened[0][Symbol.asyncIterator]();
  assert.throws(() => opened[0][Symbol.asyncIterator](), TypeError);
  uploads.failAll("closed");
  assert.equal(uploads.size, 0);
});

Deno.test("uploads: a released stream that was still open ends with an error", async () => {
  const uploads = new UploadStreams(2);
  const opened = uploads.open(["3"]);
  assert.ok(Array.isArray(opened));
  uploads.release(opened);
  await assert.rejects(read(opened[0]), /its method returned/);
});
