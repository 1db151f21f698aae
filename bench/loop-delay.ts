import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import type { Executor } from '../src/executors/index.js'
import { cores, interleave, measure, plan, round, startExecutor, stat, type Settings, type Stat } from './lib.js'

// The calling thread (in production: the API thread) must stay responsive while a CPU job keeps
// every core busy. fib(30) is ~13 ms a task; 32 tasks per core make a ~0.4 s window, long enough
// for a p99 of the 5 ms-resolution monitor measureRun uses to mean something.

const cpuJob = plan('fibonacci', { n: 30 }, 32 * cores)
const GOAL_MS = 10

export interface LoopDelayRow {
  executor: string
  workers: number
  p99Ms: Stat
  maxMs: number
  /** Median busy cores during the run: ≈ cores shows the job really saturated the machine. */
  busyCores: number
  /** Cores other processes kept busy during the recorded runs, and runs redone because of it. */
  otherCores: Stat
  redone: number
  goal: string
  met: boolean | null
}

/** The floor on this VM: the same monitor over an idle window of about the same length. */
async function idleP99 (ms: number): Promise<{ p99: number, max: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  await delay(ms)
  h.disable()
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 }
}

export async function benchLoopDelay (s: Settings): Promise<LoopDelayRow[]> {
  const executors: Executor[] = []
  try {
    for (const kind of ['threaded', 'process'] as const) executors.push(await startExecutor(kind, cores))
    const runs = await interleave(s.reps, executors.map(ex => async () => await measure(ex, cpuJob)))
    const windowMs = stat(runs.values[0].map(m => m.wallMs)).median
    const idle = await interleave(s.reps, [async () => await idleP99(windowMs)])
    const rows: LoopDelayRow[] = executors.map((ex, i) => {
      const own = runs.values[i]
      const p99Ms = stat(own.map(m => round(m.loopDelayP99Ms)))
      return {
        executor: ex.kind,
        workers: ex.workers,
        p99Ms,
        maxMs: round(stat(own.map(m => m.loopDelayMaxMs)).median),
        busyCores: round(stat(own.map(m => m.busyCores)).median),
        otherCores: stat(runs.foreign[i]),
        redone: runs.redone[i],
        goal: `< ${GOAL_MS} ms`,
        met: p99Ms.median < GOAL_MS
      }
    })
    rows.push({
      executor: 'idle (reference, no job)',
      workers: 0,
      p99Ms: stat(idle.values[0].map(v => round(v.p99))),
      maxMs: round(stat(idle.values[0].map(v => v.max)).median),
      busyCores: 0,
      otherCores: stat(idle.foreign[0]),
      redone: idle.redone[0],
      goal: '—',
      met: null
    })
    return rows
  } finally {
    for (const ex of executors) await ex.close()
  }
}

export const loopDelayPlan = cpuJob
