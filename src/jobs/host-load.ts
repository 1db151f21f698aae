import os from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { treeCpuMs, treeDeltaMs } from '../measure/proc.js'

/** What ran on the host during a window, in cores (1 = one core busy for the whole window). */
export interface HostLoad {
  windowMs: number
  /** Cores the kernel counted busy, everything included. */
  busyCores: number
  /** Of those, the excluded process trees' share (our own API, runner and pools). */
  excludedCores: number
  /** busyCores − excludedCores: work that is not ours. */
  foreignCores: number
  /** foreignCores as a fraction of every core: the figure a busy-host warning reads. */
  foreignFraction: number
}

export interface HostLoadOptions {
  /** Length of the window. */
  windowMs: number
  /** Roots of process trees whose CPU is not foreign (default: this process); descendants are found each time. */
  excludePids?: readonly number[]
  /**
   * Wait this long before the window opens, so that it starts after the submit has been answered:
   * the submitting client's own exit (a CLI process, a browser) is not a busy host.
   */
  settleMs?: number
}

/**
 * Load on the host over a short window, from the kernel's per-CPU counters, minus the CPU time of
 * the excluded process trees read from /proc (utime + stime + cutime + cstime of every process
 * under each root, so pool children count, including ones that exited and were reaped within the
 * window). The load average would still show the previous job for a minute; this sees only what
 * runs now. Off Linux there is no /proc: nothing is excluded and foreign = busy.
 */
export async function hostLoad (opts: HostLoadOptions): Promise<HostLoad> {
  const exclude = opts.excludePids ?? [process.pid]
  if ((opts.settleMs ?? 0) > 0) await delay(opts.settleMs)
  const cpuA = cpuTotals()
  const ownA = treeCpuMs(exclude)
  const t0 = performance.now()
  await delay(opts.windowMs)
  const cpuB = cpuTotals()
  const ownB = treeCpuMs(exclude)
  const windowMs = performance.now() - t0
  const all = cpuB.all - cpuA.all
  if (all <= 0) return { windowMs, busyCores: 0, excludedCores: 0, foreignCores: 0, foreignFraction: 0 }
  const cores = os.cpus().length
  // os.cpus() times are in ms per CPU: cores-worth = busy ms / (all ms / cores).
  const perCore = all / cores
  const busyCores = (cpuB.busy - cpuA.busy) / perCore
  const excludedMs = treeDeltaMs(ownA, ownB)
  const excludedCores = Math.min(busyCores, excludedMs / perCore)
  const foreignCores = Math.max(0, busyCores - excludedCores)
  return { windowMs, busyCores, excludedCores, foreignCores, foreignFraction: foreignCores / cores }
}

/**
 * Fraction of all cores busy with work other than this process tree, over a window that opens
 * `settleMs` (default 100 ms) from now. Kept for callers that want one number.
 */
export async function busyFraction (windowMs: number, excludePids: readonly number[] = [process.pid], settleMs = 100): Promise<number> {
  return (await hostLoad({ windowMs, excludePids, settleMs })).foreignFraction
}

function cpuTotals (): { busy: number, all: number } {
  let busy = 0; let all = 0
  for (const c of os.cpus()) {
    const t = c.times
    busy += t.user + t.nice + t.sys + t.irq
    all += t.user + t.nice + t.sys + t.irq + t.idle
  }
  return { busy, all }
}
