import { readdirSync, readFileSync } from 'node:fs'

// These are small shared VMs: anything else running (another engineer's tests, a build) takes cores
// away from the run and silently skews every figure. So each run records how many cores *other*
// processes kept busy meanwhile: machine busy time (/proc/stat) minus our own process tree's.
// Linux only; elsewhere the figure is NaN. Resolution is one jiffy (10 ms) per CPU.

interface Snapshot { at: number, machine: number, ours: number }

function machineBusy (): number {
  const f = readFileSync('/proc/stat', 'utf8').slice(0, 200).split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]
}

/** utime + stime of this process and every live descendant (worker threads count in ours). */
function treeBusy (): number {
  const procs = new Map<number, { ppid: number, cpu: number }>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8')
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
      procs.set(Number(name), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) })
    } catch { /* exited meanwhile */ }
  }
  const ours = new Set([process.pid])
  let total = 0
  for (let grew = true; grew;) {
    grew = false
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) { ours.add(pid); grew = true }
    }
  }
  for (const pid of ours) total += procs.get(pid)?.cpu ?? 0
  return total
}

export function snapshot (): Snapshot | undefined {
  try {
    return { at: performance.now(), machine: machineBusy(), ours: treeBusy() }
  } catch {
    return undefined
  }
}

/** Average cores other processes used between two snapshots. */
export function foreignCores (a: Snapshot | undefined, b: Snapshot | undefined): number {
  if (a === undefined || b === undefined) return NaN
  const jiffyMs = 10
  return Math.max(0, ((b.machine - a.machine) - (b.ours - a.ours)) * jiffyMs / (b.at - a.at))
}
