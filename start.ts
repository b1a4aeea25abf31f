/**
 * The launcher behind `deno task start` and `deno task dev`: runs
 * `deno <its arguments>` (the `run … main.ts` command deno.json lists,
 * verbatim), adding write access to the `KV_PATH` file when one is set.
 * The task line thus still shows, and tests still read from it, exactly
 * the permissions main.ts gets.
 *
 * Deno's permission flags are fixed before a program runs, and a task line
 * cannot add a flag only when a variable is set (an empty
 * `--allow-write=…,$KV_PATH` is refused), so this launcher builds the
 * command. It grants exactly the KV file, not its folder: SQLite writes
 * its journal files beside it itself, below Deno's permission checks.
 * Deno Deploy runs main.ts directly with its own KV and never comes here.
 *
 * @module
 */

const WRITE_FLAG = "--allow-write";

/**
 * `args` (`run`, flags, script, script arguments) with write access to
 * `kvPath` added: appended to the list of an existing `--allow-write=`
 * flag, or as a flag of its own after `run`. Unchanged for no path, `:memory:`, or unrestricted writes.
 * Throws a `RangeError` for a path containing a comma, which the flag
 * would read as two paths.
 */
export function withKvWrite(
  args: readonly string[],
  kvPath: string | undefined,
): string[] {
  if (!kvPath || kvPath === ":memory:" || args.includes(WRITE_FLAG)) {
    return [...args];
  }
  if (kvPath.includes(",")) {
    throw new RangeError(
      `KV_PATH must not contain a comma under deno task start, got '${kvPath}'`,
    );
  }
  const at = args.findIndex((arg) => arg.startsWith(`${WRITE_FLAG}=`));
  if (at === -1) {
    return [args[0], `${WRITE_FLAG}=${kvPath}`, ...args.slice(1)];
  }
  return args.map((arg, i) => i === at ? `${arg},${kvPath}` : arg);
}

/**
 * The running binary if the task's `--allow-run=deno` covers it, else the
 * `deno` on PATH that the flag names (often a link to the same binary).
 */
function denoBinary(): string {
  const exec = Deno.execPath();
  const { state } = Deno.permissions.querySync({ name: "run", command: exec });
  return state === "granted" ? exec : "deno";
}

/** Runs the command, forwards stop signals to it, exits with its code. */
async function launch(): Promise<never> {
  const args = withKvWrite(Deno.args, Deno.env.get("KV_PATH"));
  const child = new Deno.Command(denoBinary(), {
    args,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    try {
      // main.ts drains and exits on these; the launcher waits for it.
      Deno.addSignalListener(signal, () => {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
      });
    } catch {
      // Platforms without this signal: the child gets the console's own.
    }
  }
  const status = await child.status;
  Deno.exit(status.code);
}

if (import.meta.main) await launch();
