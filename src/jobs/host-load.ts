import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'

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

// USER_HZ: the unit of /proc/<pid>/stat CPU times. 100 on every Linux architecture Node runs on
// (the kernel exports it as a fixed ABI value, whatever its internal HZ).
const CLK_TCK = 100

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
  let excludedMs = 0
  for (const [pid, b] of ownB) excludedMs += Math.max(0, b - (ownA.get(pid) ?? 0))
  // A process of the tree reaped within the window moved its whole lifetime into its parent's
  // cutime: take back what it had used before the window opened.
  for (const [pid, a] of ownA) if (!ownB.has(pid)) excludedMs -= a
  excludedMs = Math.max(0, excludedMs)
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

/** CPU ms (own + reaped children) of every process under the roots, by pid; empty without /proc. */
function treeCpuMs (roots: readonly number[]): Map<number, number> {
  const stats = new Map<number, { ppid: number, ms: number }>()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter(d => /^\d+$/.test(d))
  } catch {
    return new Map()
  }
  for (const d of pids) {
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8')
      // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ')
      // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), 1-based.
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
      stats.set(Number(d), { ppid: Number(f[1]), ms: ticks * 1000 / CLK_TCK })
    } catch {
      // The process ended between readdir and read: its time went to its parent's cutime.
    }
  }
  const children = new Map<number, number[]>()
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid])
  const out = new Map<number, number>()
  const stack = roots.filter(p => stats.has(p))
  while (stack.length > 0) {
    const pid = stack.pop() as number
    if (out.has(pid)) continue
    out.set(pid, (stats.get(pid) as { ms: number }).ms)
    stack.push(...(children.get(pid) ?? []))
  }
  return out
}
