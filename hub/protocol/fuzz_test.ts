/**
 * Seeded fuzzing of both hub protocols' decoders, their framing and the
 * handshake reader: random bytes, valid messages truncated, mutated and
 * cut into random frames, and huge declared lengths (VarInt prefixes,
 * MessagePack headers). Only `ProtocolError` may ever come out, and the
 * cost of hostile input must grow linearly with its size.
 *
 * Every run prints its seed; `FUZZ_SEED=<seed>` replays a run exactly.
 */
import assert from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import { freshSeed, seededRandom } from "../../tests/helpers/seeded_random.ts";
import {
  type HubProtocol,
  joinPayloads,
  type Payload,
} from "./hub_protocol.ts";
import { jsonProtocol, RECORD_SEPARATOR } from "./json.ts";
import { messagePackProtocol } from "./messagepack.ts";
import { HandshakeReader } from "./handshake.ts";
import { type HubMessage, ProtocolError } from "./messages.ts";
import { encodeVarInt } from "./varint.ts";

const MAX = 64 * 1024;
const utf8 = new TextEncoder();

function fuzzSeed(): number {
  const fromEnv = Number(Deno.env.get("FUZZ_SEED"));
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : freshSeed();
  console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}

/** One of every message type, with the optional fields filled in. */
const SAMPLES: HubMessage[] = [
  { type: 1, target: "Send", arguments: ["text", 1, null, [true, { a: 1 }]] },
  {
    type: 1,
    invocationId: "7",
    target: "Upload",
    arguments: [],
    streamIds: ["s1"],
    headers: { k: "v" },
  },
  { type: 4, invocationId: "8", target: "Counter", arguments: [10, 0.5] },
  { type: 2, invocationId: "s1", item: { x: [1, 2, 3] } },
  { type: 3, invocationId: "7", result: "é✓", hasResult: true },
  { type: 3, invocationId: "8", error: "It failed" },
  { type: 3, invocationId: "9" },
  { type: 5, invocationId: "8" },
  { type: 6 },
  { type: 7, error: "Bye", allowReconnect: true },
  { type: 8, sequenceId: 12 },
  { type: 9, sequenceId: 3 },
];

function bytesOf(payload: Payload): Uint8Array {
  return typeof payload === "string" ? utf8.encode(payload) : payload;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return joinPayloads(parts) as Uint8Array;
}

/** `body` behind its VarInt length, as the MessagePack protocol frames it. */
function framed(body: Uint8Array): Uint8Array {
  return concat([encodeVarInt(body.length), body]);
}

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => int(random, 256));
}

/** Valid records (several, back to back) for `protocol`. */
function validInput(random: Random, protocol: HubProtocol): Uint8Array {
  const count = 1 + int(random, 3);
  return concat(
    Array.from(
      { length: count },
      () => bytesOf(protocol.encode(SAMPLES[int(random, SAMPLES.length)])),
    ),
  );
}

/** Flips, inserts, deletes or overwrites with extreme bytes. */
function mutate(random: Random, input: Uint8Array): Uint8Array {
  const bytes = [...input];
  const edits = 1 + int(random, 4);
  const extremes = [0x00, 0x1e, 0x7f, 0x80, 0xc1, 0xdc, 0xdd, 0xdf, 0xff];
  for (let i = 0; i < edits; i++) {
    const at = int(random, bytes.length + 1);
    const kind = int(random, 4);
    if (kind === 0) bytes.splice(at, 0, int(random, 256));
    else if (kind === 1) bytes.splice(at, 1);
    else if (kind === 2) bytes[at] = extremes[int(random, extremes.length)];
    else bytes[at] = (bytes[at] ?? 0) ^ (1 << int(random, 8));
  }
  return Uint8Array.from(bytes, (b) => b ?? 0);
}

/** MessagePack bodies and prefixes that declare far more than they hold. */
function hugeDeclarations(random: Random): Uint8Array {
  const headers = [
    [0xdd, 0xff, 0xff, 0xff, 0xff], // array32
    [0xdf, 0x7f, 0xff, 0xff, 0xff], // map32
    [0xdb, 0xff, 0xff, 0xff, 0xf0], // str32
    [0xc6, 0x80, 0x00, 0x00, 0x00], // bin32
    [0xc9, 0x7f, 0xff, 0xff, 0xff, 0x01], // ext32
    [0xdc, 0xff, 0xff], // array16
    [0xde, 0xff, 0xff], // map16
  ];
  const kind = int(random, 4);
  if (kind === 0) {
    // A prefix stating up to 2 GB (or an overlong one), then little.
    const prefix = [0xff, 0xff, 0xff, 0xff, int(random, 2) ? 0x07 : 0x0f];
    return concat([Uint8Array.from(prefix), randomBytes(random, 8)]);
  }
  const pick = () => headers[int(random, headers.length)];
  const depth = kind === 1 ? 1 : 1 + int(random, 200);
  const body = Array.from({ length: depth }, pick).flat();
  // Sometimes inside a call, after the fields a message needs.
  const head = kind === 3 ? [0x96, 0x01, 0x80, 0xc0, 0xa1, 0x54] : [];
  return framed(Uint8Array.from([...head, ...body]));
}

/** Cuts `bytes` into random frames (text frames for JSON, half the time). */
function frames(random: Random, bytes: Uint8Array, text: boolean): Payload[] {
  const out: Payload[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + int(random, Math.min(bytes.length - at, 64));
    const part = bytes.slice(at, at + size);
    out.push(text ? new TextDecoder().decode(part) : part);
    at += size;
  }
  return out;
}

/** Feeds frames to a fresh decoder; anything but ProtocolError fails. */
function feed(
  protocol: HubProtocol,
  chunks: Payload[],
  seed: number,
  what: string,
): HubMessage[] | ProtocolError {
  const decoder = protocol.createDecoder(MAX);
  const out: HubMessage[] = [];
  for (const chunk of chunks) {
    try {
      out.push(...decoder.push(chunk));
    } catch (error) {
      assert.ok(
        error instanceof ProtocolError,
        `seed ${seed}, ${protocol.name} ${what}: ${error}`,
      );
      return error;
    }
  }
  return out;
}

function fuzzProtocol(protocol: HubProtocol, seed: number): void {
  const random = seededRandom(seed);
  const json = protocol === jsonProtocol;
  for (let round = 0; round < 3_000; round++) {
    const valid = validInput(random, protocol);
    const kind = int(random, 5);
    const input = kind === 0
      ? randomBytes(random, int(random, 96))
      : kind === 1
      ? valid.subarray(0, int(random, valid.length))
      : kind === 2
      ? mutate(random, valid)
      : kind === 3 && !json
      ? hugeDeclarations(random)
      : valid;
    const text = json && random() < 0.5;
    const result = feed(protocol, frames(random, input, text), seed, "input");
    if (input === valid) {
      assert.ok(Array.isArray(result), `seed ${seed}: valid input refused`);
      assert.ok(result.length > 0, `seed ${seed}: valid input lost`);
    }
  }
}

Deno.test("fuzz: the JSON decoder throws only ProtocolError", () => {
  fuzzProtocol(jsonProtocol, fuzzSeed());
});

Deno.test("fuzz: the MessagePack decoder throws only ProtocolError", () => {
  fuzzProtocol(messagePackProtocol, fuzzSeed());
});

Deno.test("fuzz: the handshake reader throws only ProtocolError", () => {
  const seed = fuzzSeed();
  const random = seededRandom(seed);
  const valid = utf8.encode(
    `{"protocol":"json","version":1}${RECORD_SEPARATOR}`,
  );
  for (let round = 0; round < 2_000; round++) {
    const input = random() < 0.5
      ? mutate(random, valid)
      : randomBytes(random, int(random, 64));
    const reader = new HandshakeReader(256);
    try {
      for (const chunk of frames(random, input, random() < 0.5)) {
        if (reader.push(chunk)) break;
      }
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `seed ${seed}: ${error}`);
    }
  }
});

/**
 * Milliseconds of this thread's CPU time so far (Linux keeps it in ns),
 * so time the process spends waiting for a busy machine's cores does not
 * count; the wall clock elsewhere.
 */
function threadMs(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/thread-self/schedstat");
    return Number(stat.split(" ")[0]) / 1e6;
  } catch {
    return performance.now();
  }
}

/** Milliseconds for `reps` runs of `run`. */
function time(run: () => void, reps: number): number {
  const start = threadMs();
  for (let i = 0; i < reps; i++) run();
  return threadMs() - start;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * How much longer `large` takes than `small` (and each one's ms per run):
 * both warmed up, the repetitions doubled until the small one takes 15 ms
 * or more in the fastest of three tries (the clock is exact only to a few
 * ms, and a pause during a try would stop the doubling too soon), then
 * the median of three interleaved rounds, doubling again if a descheduled
 * calibration still left the small one under 10 ms.
 */
function costRatio(small: () => void, large: () => void): number[] {
  small();
  large();
  const fastest = (run: () => void, reps: number) =>
    Math.min(time(run, reps), time(run, reps), time(run, reps));
  let reps = 1;
  while (fastest(small, reps) < 15 && reps < 4096) reps *= 2;
  for (;;) {
    const fast: number[] = [];
    const slow: number[] = [];
    for (let round = 0; round < 3; round++) {
      fast.push(time(small, reps));
      slow.push(time(large, reps));
    }
    const [f, s] = [median(fast), median(slow)];
    if (f >= 10 || reps >= 4096) return [s / f, f / reps, s / reps];
    reps *= 2;
  }
}

/** Pushes each frame to a fresh decoder allowing `max`, errors allowed. */
function decodeAll(protocol: HubProtocol, chunks: Payload[], max: number) {
  return () => {
    const decoder = protocol.createDecoder(max);
    try {
      for (const chunk of chunks) decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
  };
}

const oneByte = (text: string) => [...text];
const byteFrames = (bytes: Uint8Array) =>
  Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
const jsonRecord = (n: number) =>
  `{"type":1,"target":"T","arguments":["${"x".repeat(n)}"]}${RECORD_SEPARATOR}`;
const msgpackRecord = (n: number) =>
  framed(encode([1, {}, null, "T", ["x".repeat(n)]]));
const nestedArrays = (n: number) =>
  framed(Uint8Array.from({ length: n }, (_, i) => i % 3 ? 0xff : 0xdc));

/** Hostile shapes of about `n` bytes, each as frames for its reader. */
const SHAPES: Record<string, (n: number) => () => void> = {
  "JSON record in 1-byte frames": (n) =>
    decodeAll(jsonProtocol, oneByte(jsonRecord(n)), 16 * n),
  "JSON record in 1-byte binary frames": (n) =>
    decodeAll(
      jsonProtocol,
      byteFrames(utf8.encode(jsonRecord(n))),
      16 * n,
    ),
  "JSON over the limit, never ending": (n) =>
    decodeAll(jsonProtocol, oneByte("x".repeat(n)), n / 2),
  "MessagePack record in 1-byte frames": (n) =>
    decodeAll(
      messagePackProtocol,
      byteFrames(msgpackRecord(n)),
      16 * n,
    ),
  "MessagePack nested array16 headers": (n) =>
    decodeAll(messagePackProtocol, [nestedArrays(n)], 16 * n),
  "handshake in 1-byte frames": (n) => {
    const chunks = oneByte(
      `{"protocol":"json","version":1,"x":"${
        "y".repeat(n)
      }"}${RECORD_SEPARATOR}`,
    );
    return () => {
      const reader = new HandshakeReader(16 * n);
      for (const chunk of chunks) reader.push(chunk);
    };
  },
};

Deno.test("fuzz: hostile input costs time linear in its size", () => {
  const n = 4 * 1024;
  for (const [name, shape] of Object.entries(SHAPES)) {
    const [ratio, small, large] = costRatio(shape(n), shape(8 * n));
    console.log(`${name}: ${small.toFixed(3)} ms, 8x: ${large.toFixed(3)} ms`);
    // Linear is 8x; quadratic would be 64x. Generous for noise and JIT.
    assert.ok(ratio < 8 * 4, `${name}: 8x the input cost ${ratio}x`);
  }
});

Deno.test("fuzz: huge MessagePack declarations cost no more than honest data", () => {
  const n = 32 * 1024;
  // An honest call carrying n small numbers, against n bytes of nested
  // headers each declaring 65,535 elements.
  const honest = framed(encode([1, {}, null, "T", [new Array(n).fill(1)]]));
  const [ratio, fair, hostile] = costRatio(
    decodeAll(messagePackProtocol, [honest], 4 * n),
    decodeAll(messagePackProtocol, [nestedArrays(n)], 4 * n),
  );
  console.log(`honest ${fair.toFixed(3)} ms, hostile ${hostile.toFixed(3)} ms`);
  assert.ok(ratio < 4, `hostile ${hostile} ms, honest ${fair} ms`);
});
