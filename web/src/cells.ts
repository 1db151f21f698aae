// A job's cells (runtime × executor × workers) and their keys, as the server makes them
// (src/jobs/spec.ts): the dashboard matches runs, summaries and progress to cells by these keys.
import type { JobSpec } from './types.js'

export interface Cell { runtime: string, executor: string, workers: number, key: string }

/**
 * The server's cell key (src/jobs/spec.ts cellKey): `threaded/2` for Node, as before there were
 * runtimes, so that stored jobs, baselines and history still match; `python/threaded/2` otherwise.
 */
export function cellKey (c: { runtime: string, executor: string, workers: number }): string {
  return c.runtime === 'node' ? `${c.executor}/${c.workers}` : `${c.runtime}/${c.executor}/${c.workers}`
}

/** Whether labels must name the runtime: a Node-only job reads as it did before the axis. */
export function namesRuntime (spec: Pick<JobSpec, 'runtimes'>): boolean {
  return spec.runtimes.length > 1 || spec.runtimes[0] !== 'node'
}

/** `python threaded/2` where the job needs the runtime named (see namesRuntime), else `threaded/2`. */
export function cellLabel (c: { runtime: string, executor: string, workers: number }, withRuntime: boolean): string {
  return withRuntime ? `${c.runtime} ${c.executor}/${c.workers}` : `${c.executor}/${c.workers}`
}

/** The job's cells in the order the runner runs them (src/jobs/spec.ts cells()): runtime-major. */
export function cellsOf (spec: JobSpec): Cell[] {
  const out: Cell[] = []
  for (const runtime of spec.runtimes) {
    for (const executor of spec.executors) {
      const counts = executor === 'serialized' || executor === 'async' ? [1] : spec.workers
      for (const workers of counts) out.push({ runtime, executor, workers, key: cellKey({ runtime, executor, workers }) })
    }
  }
  return out
}
