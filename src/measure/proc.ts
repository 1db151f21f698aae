// Readers of Linux's /proc for the disturbance of a run (src/measure/disturbance.ts) and the
// busy-host check (src/jobs/host-load.ts). The parsers are pure, so fixture text tests them; the
// readers return undefined or empty where there is no /proc (macOS, Windows).
import { readdirSync, readFileSync } from 'node:fs'

// USER_HZ: the unit of /proc/stat and /proc/<pid>/stat CPU times. 100 on every Linux architecture
// Node runs on (the kernel exports it as a fixed ABI value, whatever its internal HZ).
export const CLK_TCK = 100

/** The whole machine's CPU time since boot, in ms summed over every CPU (the `cpu` line of /proc/stat). */
export interface CpuTotals {
  /** user + nice + system + irq + softirq: time the CPUs ran something (guest time is inside user). */
  busyMs: number
  /** Time the hypervisor ran something else while a vCPU wanted to run (0 on bare metal and where it is not reported). */
  stealMs: number
  /** Every column up to steal: busy + idle + iowait + steal. */
  allMs: number
}

/**
 * The aggregate `cpu` line of /proc/stat (proc(5)): user nice system idle iowait irq softirq steal
 * guest guest_nice, in USER_HZ ticks. Undefined when the text has no such line.
 */
export function parseProcStat (text: string): CpuTotals | undefined {
  const line = text.split('\n').find(l => l.startsWith('cpu '))
  if (line === undefined) return undefined
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
  const ms = (ticks: number): number => ticks * 1000 / CLK_TCK
  const busy = user + nice + system + irq + softirq
  return { busyMs: ms(busy), stealMs: ms(steal), allMs: ms(busy + idle + iowait + steal) }
}

/** `nonvoluntary_ctxt_switches` of a /proc/<pid>/status or /proc/<pid>/task/<tid>/status text. */
export function parseInvoluntarySwitches (status: string): number | undefined {
  const m = /^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(status)
  return m === null ? undefined : Number(m[1])
}

/**
 * A /proc/<pid>/stat line: the parent pid and the CPU ms of the process and of its reaped children
 * (utime + stime + cutime + cstime, fields 14–17).
 */
export function parsePidStat (text: string): { ppid: number, cpuMs: number } {
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), 1-based.
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  return { ppid: Number(f[1]), cpuMs: ticks * 1000 / CLK_TCK }
}

/** /proc/stat now; undefined without /proc. */
export function readCpuTotals (): CpuTotals | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * CPU ms (own + reaped children) of every process under the roots, by pid; empty without /proc.
 * Walks down from the roots through /proc/<pid>/task/<tid>/children (a few reads for a runner and its
 * pool) where the kernel has it (CONFIG_PROC_CHILDREN), else scans every process's stat for parents.
 */
export function treeCpuMs (roots: readonly number[]): Map<number, number> {
  const out = new Map<number, number>()
  const stack = [...roots]
  while (stack.length > 0) {
    const pid = stack.pop() as number
    if (out.has(pid)) continue
    let stat: { cpuMs: number }
    let children: number[] | undefined
    try {
      stat = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
      children = childrenOf(pid)
    } catch {
      continue // gone: its time went to its parent's cutime
    }
    if (children === undefined) return treeCpuMsByScan(roots)
    out.set(pid, stat.cpuMs)
    stack.push(...children)
  }
  return out
}

/** The children of every thread of `pid`; undefined when the kernel has no children files. */
function childrenOf (pid: number): number[] | undefined {
  const out: number[] = []
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let text: string
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid)) return undefined
      continue // the thread ended meanwhile
    }
    for (const c of text.split(' ')) if (c !== '' && c !== '\n') out.push(Number(c))
  }
  return out
}

function treeCpuMsByScan (roots: readonly number[]): Map<number, number> {
  const stats = new Map<number, { ppid: number, cpuMs: number }>()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter(d => /^\d+$/.test(d))
  } catch {
    return new Map()
  }
  for (const d of pids) {
    try {
      stats.set(Number(d), parsePidStat(readFileSync(`/proc/${d}/stat`, 'utf8')))
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
    out.set(pid, (stats.get(pid) as { cpuMs: number }).cpuMs)
    stack.push(...(children.get(pid) ?? []))
  }
  return out
}

/**
 * CPU ms the tree used between two treeCpuMs snapshots. A process of the tree reaped in between
 * moved its whole lifetime into its parent's cutime: what it had used before `a` is taken back.
 */
export function treeDeltaMs (a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number {
  let ms = 0
  for (const [pid, v] of b) ms += Math.max(0, v - (a.get(pid) ?? 0))
  for (const [pid, v] of a) if (!b.has(pid)) ms -= v
  return Math.max(0, ms)
}

/** Σ nonvoluntary_ctxt_switches over every thread of the process; undefined when it is gone or there is no /proc. */
export function processInvoluntarySwitches (pid: number): number | undefined {
  try {
    let sum = 0
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        sum += parseInvoluntarySwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')) ?? 0
      } catch {
        // The thread ended between readdir and read.
      }
    }
    return sum
  } catch {
    return undefined
  }
}
