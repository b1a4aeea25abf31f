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

/** `data` gzipped. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Size of `data` gzipped, as a browser would download it. */
export async function gzipSize(data: Uint8Array): Promise<number> {
  return (await gzip(data)).byteLength;
}
