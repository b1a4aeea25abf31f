/**
 * One exchange with Redis over a raw TCP connection, for a test that must
 * control exactly when a command reaches the server.
 *
 * @module
 */

/**
 * Sends `commands` on `conn`, starts `meanwhile` once they are sent (so
 * they reach Redis first), and reads until the replies end with `end`;
 * throws on an error reply (a line starting `-`) or a closed connection.
 */
export async function roundTrip(
  conn: Deno.Conn,
  commands: string[][],
  end: string,
  meanwhile: () => Promise<unknown> = () => Promise.resolve(),
): Promise<void> {
  const encoder = new TextEncoder();
  const text = commands.map((args) =>
    `*${args.length}\r\n` +
    args.map((a) => `$${encoder.encode(a).length}\r\n${a}\r\n`).join("")
  ).join("");
  await conn.write(encoder.encode(text));
  const started = meanwhile();
  const buf = new Uint8Array(4096);
  let got = "";
  while (!got.endsWith(end)) {
    if (/(^|\n)-/.test(got)) throw new Error(`Redis refused: ${got}`);
    const n = await conn.read(buf);
    if (n === null) throw new Error(`Connection closed after ${got}`);
    got += new TextDecoder().decode(buf.subarray(0, n));
  }
  await started;
}
