import assert from "node:assert/strict";
import { backplaneFromEnv } from "./backplane_from_env.ts";
import { RedisBackplane } from "./redis.ts";
import { RedisClusterBackplane } from "./redis_cluster.ts";
import { silentLogger } from "../logger.ts";

const options = { prefix: "switchboard:test", logger: silentLogger };

Deno.test("backplaneFromEnv: nothing set keeps the in-memory default", async () => {
  assert.equal(await backplaneFromEnv({}, options), undefined);
  const blank = { REDIS_URL: " ", REDIS_CLUSTER_URLS: " , " };
  assert.equal(await backplaneFromEnv(blank, options), undefined);
});

Deno.test("backplaneFromEnv: REDIS_URL picks the single-node backplane", async () => {
  const bp = await backplaneFromEnv(
    { REDIS_URL: "redis://127.0.0.1:6379" },
    options,
  );
  assert.ok(bp instanceof RedisBackplane);
  assert.equal(bp.status().healthy, false, "not started, nothing connects");
});

Deno.test("backplaneFromEnv: REDIS_CLUSTER_URLS picks the cluster backplane", async () => {
  const bp = await backplaneFromEnv({
    REDIS_CLUSTER_URLS:
      "redis://:pw@127.0.0.1:7000, redis://:pw@127.0.0.1:7001",
    REDIS_PREFIX: "other",
  }, options);
  assert.ok(bp instanceof RedisClusterBackplane);
  const detail = bp.status().detail;
  assert.match(detail, /127\.0\.0\.1:7000,.*127\.0\.0\.1:7001/);
  assert.ok(!detail.includes("pw"), detail);
});

Deno.test("backplaneFromEnv: both set, or a bad scheme, is a clear error", async () => {
  await assert.rejects(
    backplaneFromEnv({
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_CLUSTER_URLS: "redis://127.0.0.1:7000",
    }, options),
    { name: "TypeError", message: /not both/ },
  );
  await assert.rejects(
    backplaneFromEnv({
      REDIS_CLUSTER_URLS: "redis://127.0.0.1:7000,http://u:secret@h:1",
    }, options),
    (error: Error) =>
      error instanceof TypeError &&
      /REDIS_CLUSTER_URLS must start with redis:\/\//.test(error.message) &&
      !error.message.includes("secret"),
  );
  await assert.rejects(
    backplaneFromEnv({ REDIS_URL: "localhost:6379" }, options),
    { name: "TypeError", message: /^REDIS_URL must start/ },
  );
});
