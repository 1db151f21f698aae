import type { Executor, ExecutorKind, RunPlan } from '../src/executors/index.js'
import type { RunMetrics } from '../src/measure/measure-run.js'
import { interleave, measure, round, startExecutor, stat, type Settings, type Stat } from './lib.js'

// Shared by the CPU-scaling and I/O benchmarks: run one plan on several cells (executor, workers),
// interleaved, and compare every cell with the first one, which must be `serialized`.

export type Cell = [ExecutorKind, number]

export interface CellRow {
  executor: ExecutorKind
  workers: number
  wallMs: Stat
  /** median wall(serialized) / median wall(this cell): the figure the goals use. */
  speedup: number
  /** Median over rounds of wall(serialized) / wall(this cell) in the same round: less drift. */
  pairedSpeedup: number
  efficiency: number
  /** Median average busy cores (CPU time / wall), as measureRun reports it. */
  busyCores: number
  /** Median time one task runs inside its worker: grows when cores slow each other down. */
  taskMs: number
  /**
   * Median time per task that a worker spent not running a task: (wall × workers − Σ run) / tasks.
   * It is the dispatch round trip plus the tail. Meaningless when tasks overlap (async, I/O).
   */
  idleUsPerTask: number
  /** Median event-loop delay p99 of the calling thread during the run. */
  loopDelayP99Ms: number
  /** Every run's checksum equals the serialized runs'. */
  verified: boolean
  /** Cores other processes kept busy during this cell's recorded runs, and runs redone because of it. */
  otherCores: Stat
  redone: number
  /** Pool creation under tsx (thread entries go through a loader bootstrap): not a production figure. */
  startupMsTsx: number
  goal: string
  met: boolean | null
}

/** What a cell should reach, if anything: a label for the table and the test. */
export type GoalOf = (kind: ExecutorKind, workers: number) => { goal: string, test: (speedup: number) => boolean } | undefined

export async function benchCells (p: RunPlan, cells: Cell[], s: Settings, goalOf: GoalOf): Promise<CellRow[]> {
  if (cells[0][0] !== 'serialized') throw new Error('bench: the first cell must be the serialized baseline')
  // All pools stay up for the whole benchmark so the cells can be interleaved; idle ones use no CPU.
  const executors: Executor[] = []
  try {
    for (const [kind, w] of cells) executors.push(await startExecutor(kind, w))
    const runs = await interleave(s.reps, executors.map(ex => async () => await measure(ex, p)))
    const base = runs.values[0]
    return cells.map(([kind, workers], i) => {
      const own = runs.values[i]
      const wallMs = stat(own.map(m => m.wallMs))
      const speedup = stat(base.map(m => m.wallMs)).median / wallMs.median
      const g = goalOf(kind, workers)
      const med = (f: (m: RunMetrics) => number, digits = 2): number => round(stat(own.map(f)).median, digits)
      return {
        executor: kind,
        workers,
        wallMs,
        speedup: round(speedup, 3),
        pairedSpeedup: round(stat(own.map((m, r) => base[r].wallMs / m.wallMs)).median, 3),
        efficiency: round(speedup / workers, 3),
        busyCores: med(m => m.busyCores),
        taskMs: med(m => sumRunMs(m) / m.tasks, 3),
        idleUsPerTask: med(m => (m.wallMs * workers - sumRunMs(m)) / m.tasks * 1000, 0),
        loopDelayP99Ms: med(m => m.loopDelayP99Ms),
        verified: own.every(m => m.checksum === base[0].checksum),
        otherCores: stat(runs.foreign[i]),
        redone: runs.redone[i],
        startupMsTsx: round(executors[i].startupMs, 1),
        goal: g?.goal ?? '—',
        met: g === undefined ? null : g.test(speedup)
      }
    })
  } finally {
    for (const ex of executors) await ex.close()
  }
}

/** Σ runMs over the run's tasks (timings hold queueMs, runMs, returnMs per task). */
function sumRunMs (m: RunMetrics): number {
  let sum = 0
  for (let i = 1; i < m.timings.length; i += 3) sum += m.timings[i]
  return sum
}
