/**
 * `deno task add-user <username>`: creates a built-in account from the
 * server's own machine, with the password read from standard input. The
 * names in `ADMIN_USERS` cannot be taken by signing up (whoever came first
 * would own `/admin`), so this is how an operator creates them. It opens
 * the same database as the server: `KV_PATH`, or Deno's default; on Deno
 * Deploy, point `KV_PATH` at the database's KV Connect URL with
 * `DENO_KV_ACCESS_TOKEN` set.
 *
 * Exit status: 0 created, 1 refused (taken, malformed), 2 usage.
 *
 * @module
 */

import { parseCredentials } from "./accounts.ts";
import { openUserServices } from "./user_services.ts";

/** Longest password line read from standard input. */
const MAX_INPUT_BYTES = 4096;

async function readPassword(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of Deno.stdin.readable) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) throw new RangeError("The input is too long");
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes).split(/\r?\n/)[0];
}

async function main(): Promise<number> {
  const [username] = Deno.args;
  if (!username || Deno.args.length !== 1) {
    console.error("Usage: deno task add-user <username> < password-file");
    return 2;
  }
  const credentials = parseCredentials({
    username,
    password: await readPassword(),
  });
  if (typeof credentials === "string") {
    console.error(credentials);
    return 1;
  }
  const users = await openUserServices({ env: Deno.env.toObject() });
  try {
    if (!users.builtin) {
      console.error("Accounts come from JWKS_URL's provider here: none to add");
      return 1;
    }
    const result = await users.builtin.accounts.create(credentials);
    if (result !== "created") {
      console.error(result === "taken" ? "Username is taken" : "No room");
      return 1;
    }
    console.log(`Created ${credentials.username}`);
    return 0;
  } finally {
    users.close();
  }
}

if (import.meta.main) Deno.exit(await main());
