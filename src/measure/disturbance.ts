import os from 'node:os'
import { processInvoluntarySwitches, readCpuTotals, treeCpuMs, treeDeltaMs, type CpuTotals } from './proc.js'

/** What else happened on the host while one run was measured. */
export interface Disturbance {
  /**
   * CPU used by processes outside this runner's process tree during the run, in cores (1 = one core
   * busy for the whole run): /proc/stat busy time minus the tree's own (/proc/<pid>/stat). An API
   * on the same host is foreign. Null without /proc.
   */
  foreignCpu: number | null
  /** Share of the machine's CPU time the hypervisor gave to others (/proc/stat steal); null without /proc. */
  steal: number | null
  /**
   * Involuntary context switches during the run: the runner process's (every thread,
   * process.resourceUsage()) plus every thread of each of its descendants (/proc/<pid>/task/<tid>/status).
   */
  involuntarySwitches: number
  /**
   * The canary (src/executors/canary.ts) right before and right after the run, ms: the slowest of the
   * readings of the threads that ran tasks (a run waits for its slowest thread). Null when no canary
   * was taken (the Python runtime).
   */
  canaryBeforeMs: number | null
  canaryAfterMs: number | null
  /** canaryAfterMs / canaryBeforeMs − 1: positive when the host got slower over the run. */
  canaryDrift: number | null
}

/** When a run counts as disturbed (settings DISTURBED_*; see README "Disturbed runs"). */
export interface DisturbedThresholds {
  /** Foreign CPU in cores. */
  foreignCpu: number
  /** Steal as a share of the machine's CPU time. */
  steal: number
  /** |canaryDrift|. */
  canaryDrift: number
}

/** The settings' defaults (src/config.ts reads them from here). */
export const DEFAULT_DISTURBED: DisturbedThresholds = { foreignCpu: 0.5, steal: 0.1, canaryDrift: 0.5 }

/** What a disturbance window measures; the canary's figures come from canaryFigures. */
export type DisturbanceWindow = Omit<Disturbance, 'canaryBeforeMs' | 'canaryAfterMs' | 'canaryDrift'>

export interface DisturbanceProbe {
  /** Ends the window: call it right after the run. */
  finish: () => DisturbanceWindow
}

interface Snapshot {
  cpu: CpuTotals | undefined
  tree: Map<number, number>
  ownSwitches: number
  childSwitches: Map<number, number>
}

function snapshot (root: number): Snapshot {
  const tree = treeCpuMs([root])
  const childSwitches = new Map<number, number>()
  for (const pid of tree.keys()) {
    if (pid === root) continue
    const n = processInvoluntarySwitches(pid)
    if (n !== undefined) childSwitches.set(pid, n)
  }
  return { cpu: readCpuTotals(), tree, ownSwitches: process.resourceUsage().involuntaryContextSwitches, childSwitches }
}

/**
 * Opens a disturbance window: snapshots /proc/stat, the CPU of this process's tree and the
 * involuntary context switches of the process and its descendants. Call it right before the timed
 * run and `finish()` right after: the /proc reads (a few ms with a few hundred processes) stay
 * outside the run's wall time.
 */
export function startDisturbance (): DisturbanceProbe {
  const root = process.pid
  const a = snapshot(root)
  return {
    finish: () => {
      const b = snapshot(root)
      return { ...foreignAndSteal(a, b), involuntarySwitches: switchesBetween(a, b) }
    }
  }
}

/**
 * The canary's figures from the readings of each task thread before and after a run (Executor.canary,
 * ms): the slowest thread's reading each time (a run waits for its slowest thread), and their drift.
 * No readings (the Python runtime, a pool lost after its run): nulls.
 */
export function canaryFigures (before: readonly number[] = [], after: readonly number[] = []): Pick<Disturbance, 'canaryBeforeMs' | 'canaryAfterMs' | 'canaryDrift'> {
  const canaryBeforeMs = before.length === 0 ? null : Math.max(...before)
  const canaryAfterMs = after.length === 0 ? null : Math.max(...after)
  return { canaryBeforeMs, canaryAfterMs, canaryDrift: canaryBeforeMs !== null && canaryAfterMs !== null && canaryBeforeMs > 0 ? canaryAfterMs / canaryBeforeMs - 1 : null }
}

function foreignAndSteal (a: Snapshot, b: Snapshot): Pick<Disturbance, 'foreignCpu' | 'steal'> {
  if (a.cpu === undefined || b.cpu === undefined) return { foreignCpu: null, steal: null }
  const all = b.cpu.allMs - a.cpu.allMs
  if (all <= 0) return { foreignCpu: 0, steal: 0 }
  // Cores-worth from the kernel's own clock: busy ms / (all ms / CPUs), as src/jobs/host-load.ts.
  const perCore = all / os.cpus().length
  const foreignMs = Math.max(0, (b.cpu.busyMs - a.cpu.busyMs) - treeDeltaMs(a.tree, b.tree))
  return { foreignCpu: foreignMs / perCore, steal: (b.cpu.stealMs - a.cpu.stealMs) / all }
}

function switchesBetween (a: Snapshot, b: Snapshot): number {
  let n = b.ownSwitches - a.ownSwitches
  // A child started during the run counts from 0; one that ended took its count with it.
  for (const [pid, v] of b.childSwitches) n += Math.max(0, v - (a.childSwitches.get(pid) ?? 0))
  return n
}

/**
 * Why a run counts as disturbed, foreign load first, or null when it does not. A null figure (not
 * measured) never disturbs.
 */
export function disturbedBy (d: Disturbance, t: DisturbedThresholds): string | null {
  const why: string[] = []
  if (d.foreignCpu !== null && d.foreignCpu > t.foreignCpu) why.push(`foreign CPU ${d.foreignCpu.toFixed(2)} cores > ${t.foreignCpu}`)
  if (d.steal !== null && d.steal > t.steal) why.push(`steal ${pct(d.steal)} > ${pct(t.steal)}`)
  if (d.canaryDrift !== null && Math.abs(d.canaryDrift) > t.canaryDrift) why.push(`canary drift ${d.canaryDrift >= 0 ? '+' : ''}${pct(d.canaryDrift)} beyond ±${pct(t.canaryDrift)}`)
  return why.length === 0 ? null : why.join('; ')
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`
