import { readFileSync } from 'node:fs'

let available = process.platform === 'linux'

/**
 * CPU time the calling thread has run, in nanoseconds, or undefined where the platform cannot say.
 * Linux keeps it per thread in /proc/thread-self/schedstat (first field: ns on the CPU, from the
 * scheduler's own accounting, so a thread that waits for a core is not charged for the wait).
 * Node 20 has no per-thread CPU clock of its own (`process.threadCpuUsage` came in Node 23.9).
 * Costs ~10 µs: read it around runs and loop turns, not around every task.
 */
export function threadCpuNs (): number | undefined {
  if (!available) return undefined
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'latin1')
    return Number(text.slice(0, text.indexOf(' ')))
  } catch {
    available = false
    return undefined
  }
}
