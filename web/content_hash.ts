/**
 * Content hashes and gzipped sizes of build output.
 *
 * @module
 */

/** Hex SHA-256 of `data`. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as BufferSource);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Size of `data` gzipped, as a browser would download it. */
export async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([data as BlobPart]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  let total = 0;
  for await (const chunk of stream) total += chunk.byteLength;
  return total;
}
