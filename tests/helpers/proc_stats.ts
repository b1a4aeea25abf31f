/**
 * Reads a process's resident memory and CPU time from /proc (Linux only),
 * which is how the bench runner measures targets and load workers, and how
 * tests bound a server's CPU, without instrumenting them.
 *
 * @module
 */

/** Kernel clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** VmRSS of `pid` in bytes. */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!match) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU seconds used so far by `pid` (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name may hold spaces; fields resume after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy CPU seconds of the whole machine (all cores, kernel included). */
export function machineBusySeconds(): number {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - ticks[3] - ticks[4]) / TICKS_PER_SECOND;
}

/**
 * Samples CPU over an interval, as % of one core: each pid, then everything
 * else on the machine (other processes and kernel network work), which
 * shows whether the run had the cores to itself.
 */
export class CpuMeter {
  #start: number[];
  #machine = machineBusySeconds();
  #at = performance.now();

  constructor(readonly pids: readonly number[]) {
    this.#start = pids.map(cpuSeconds);
  }

  /** % of one core used by each pid since construction, then by the rest. */
  read(): number[] {
    const seconds = (performance.now() - this.#at) / 1000;
    const own = this.pids.map((pid, i) => cpuSeconds(pid) - this.#start[i]);
    const rest = machineBusySeconds() - this.#machine -
      own.reduce((a, b) => a + b, 0);
    return [...own, Math.max(0, rest)].map((s) =>
      Math.round((s / seconds) * 100)
    );
  }
}

/**
 * Waits until the machine's busy CPU, sampled every 500 ms, is below
 * `maxPercent` of one core, for at most `maxWaitMs`. Other work on the same
 * cores (tests, builds) skews a benchmark; returns the last sample so the
 * report can say how quiet the machine was.
 */
export async function waitForQuiet(
  maxPercent: number,
  maxWaitMs: number,
): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const before = machineBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const percent = Math.round(((machineBusySeconds() - before) / 0.5) * 100);
    if (percent <= maxPercent || performance.now() >= deadline) return percent;
  }
}
