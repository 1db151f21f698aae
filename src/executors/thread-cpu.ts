import { readFileSync, readlinkSync } from 'node:fs'

let available = process.platform === 'linux'

/**
 * CPU time a thread has run, in nanoseconds, from `<dir>/schedstat` (`dir` a /proc thread directory
 * such as `/proc/<pid>/task/<tid>` or `/proc/thread-self`), or undefined where it cannot be read
 * (not Linux, or the thread has exited). The first field is the scheduler's own `sum_exec_runtime`:
 * time on a CPU, so a thread that waits for a core is not charged for the wait. For a thread that is
 * running at the moment of the read it lags by at most one scheduler tick (1–10 ms, CONFIG_HZ); a
 * thread that is blocked (idle worker, finished run) reads exact. Costs ~10 µs.
 */
export function schedstatNs (dir: string): number | undefined {
  if (!available) return undefined
  try {
    const text = readFileSync(`${dir}/schedstat`, 'latin1')
    return Number(text.slice(0, text.indexOf(' ')))
  } catch (err) {
    // No /proc at all (a container without it, another OS): stop trying. A gone thread is just gone.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dir === '/proc/thread-self') available = false
    return undefined
  }
}

/**
 * CPU time the calling thread has run, in nanoseconds, or undefined where the platform cannot say
 * (see schedstatNs). Node 20 has no per-thread CPU clock of its own (`process.threadCpuUsage` came
 * in Node 23.9). Costs ~10 µs: read it around runs and loop turns, not around every task.
 */
export function threadCpuNs (): number | undefined {
  return schedstatNs('/proc/thread-self')
}

/**
 * The calling thread's /proc directory, `/proc/<pid>/task/<tid>`, which stays valid when read from
 * any other thread of the machine for as long as this thread lives; undefined off Linux. A worker
 * sends it to its coordinator once at start, so the coordinator can read that worker's CPU
 * (schedstatNs) before and after a run without a message round trip. Before a run the workers are
 * idle, so their figures are exact; after it, read them with settledThreadsCpuNs.
 */
export function threadProcDir (): string | undefined {
  if (!available) return undefined
  try {
    return `/proc/${readlinkSync('/proc/thread-self')}`
  } catch {
    return undefined
  }
}

/**
 * Summed CPU (ns) of the threads in `dirs` right now, or undefined if any of them cannot be read
 * (or there are none): a partial sum would understate the run's task CPU without saying so.
 */
export function threadsCpuNs (dirs: ReadonlyArray<string | undefined>): number | undefined {
  if (dirs.length === 0) return undefined
  let sum = 0
  for (const dir of dirs) {
    const ns = dir === undefined ? undefined : schedstatNs(dir)
    if (ns === undefined) return undefined
    sum += ns
  }
  return sum
}

/** Whether the thread is on a CPU or waiting for one (state R in `<dir>/stat`); false if unreadable. */
function runnable (dir: string): boolean {
  try {
    const stat = readFileSync(`${dir}/stat`, 'latin1')
    // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
    return stat[stat.lastIndexOf(')') + 2] === 'R'
  } catch {
    return false
  }
}

/**
 * threadsCpuNs once every thread has stopped running, waiting for that a turn of the event loop at
 * a time for at most `maxMs`. A thread on a CPU has its schedstat brought up to date only at the
 * next scheduler tick or switch, so a worker read while it still runs the tail of its last task
 * would lose up to a tick (1–10 ms): as much as a whole short run. A worker goes idle microseconds
 * after its last result, and the kernel updates its figure as it leaves the CPU.
 */
export async function settledThreadsCpuNs (dirs: ReadonlyArray<string | undefined>, maxMs = 5): Promise<number | undefined> {
  const until = performance.now() + maxMs
  while (performance.now() < until && dirs.some(d => d !== undefined && runnable(d))) {
    await new Promise(resolve => setImmediate(resolve))
  }
  return threadsCpuNs(dirs)
}

/** `after - before` of two threadsCpuNs reads, in ms; null when either is unknown. */
export function cpuDeltaMs (before: number | undefined, after: number | undefined): number | null {
  return before === undefined || after === undefined ? null : (after - before) / 1e6
}
