// The cells of a job and what they cost, with no imports beyond types: the CLI and the dashboard
// load this without the workload catalog.
import type { JobSpec } from './job.js'
import type { ExecutorKind, RuntimeId } from './vocabulary.js'

export interface Cell {
  runtime: RuntimeId
  executor: ExecutorKind
  workers: number
}

/**
 * Runs executed per cell: every repetition is a fork (a fresh pool) that first repeats the warm-up,
 * so that no state of one pool (thread placement, JIT) is shared by all of a cell's measurements.
 */
export function runsPerCell (spec: JobSpec): number {
  return spec.repetitions * (spec.warmup + 1)
}

/** Tasks the whole job executes, warm-ups included: the denominator of its progress. */
export function jobTasksTotal (spec: JobSpec): number {
  return cells(spec).length * runsPerCell(spec) * spec.tasks
}

/** Every (runtime, executor, workers) combination: the single-thread executors once with 1 worker. */
export function cells (spec: JobSpec): Cell[] {
  const out: Cell[] = []
  for (const runtime of spec.runtimes) {
    for (const executor of spec.executors) {
      if (executor === 'serialized' || executor === 'async') out.push({ runtime, executor, workers: 1 })
      else for (const workers of spec.workers) out.push({ runtime, executor, workers })
    }
  }
  return out
}

/**
 * `threaded/2` for Node, `python/threaded/2` for the others: keys of Node cells are what they were
 * before there were runtimes, so stored jobs, baselines and history still match.
 */
export function cellKey (c: { runtime?: string, executor: string, workers: number }): string {
  return c.runtime === undefined || c.runtime === 'node' ? `${c.executor}/${c.workers}` : `${c.runtime}/${c.executor}/${c.workers}`
}

/** Whether labels must name the runtime: a Node-only job reads as it did before the runtime axis. */
export function namesRuntime (runtimes: ReadonlyArray<string | undefined>): boolean {
  return runtimes.some(r => r !== undefined && r !== 'node')
}

/** `python threaded/2` where the job needs the runtime named (see namesRuntime), else `threaded/2`. */
export function cellLabel (c: { runtime: string, executor: string, workers: number }, withRuntime: boolean): string {
  return withRuntime ? `${c.runtime} ${c.executor}/${c.workers}` : `${c.executor}/${c.workers}`
}
