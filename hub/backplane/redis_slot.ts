/**
 * The Redis Cluster hash slot of a key or shard channel: CRC16 (XMODEM)
 * of the key, or of its `{hash tag}` if it has one, modulo 16384. Pure,
 * so the backplane can check which master should hold a subscription.
 *
 * @module
 */

/** Slots in a Redis Cluster. */
export const SLOTS = 16384;

const encoder = new TextEncoder();

/** The slot Redis Cluster puts `key` in. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    // An empty tag (`{}`) hashes the whole key, as Redis does.
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of encoder.encode(key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc % SLOTS;
}
