// Where a job stands, per cell, from what the runner reports. Pure: the job page renders it and
// tests check it without a browser.
import { cellsOf } from './cells.js'
import type { JobView } from './types.js'

/**
 * Tasks done per cell, from the live position of the runner and the runs recorded so far: cells run
 * in rounds (one fork of every cell per round, in an order that rotates from round to round), and
 * every fork runs `warmup` warm-ups and one recorded run. During round f every cell has finished f
 * forks; those with a recorded run of repetition f have finished f + 1. `threaded/2` in Node and in
 * Python are two cells: a position matches on the runtime too.
 */
export function cellProgress (view: JobView): Map<string, { done: number, total: number }> {
  const spec = view.spec
  const cells = cellsOf(spec)
  const perFork = (spec.warmup + 1) * spec.tasks
  const perCell = spec.repetitions * perFork
  const out = new Map<string, { done: number, total: number }>()
  const cur = view.progress.current
  const same = (a: { runtime: string, executor: string, workers: number }, b: { runtime: string, executor: string, workers: number }): boolean => a.runtime === b.runtime && a.executor === b.executor && a.workers === b.workers
  const live = cur !== null && view.status === 'running' && cells.some(c => same(c, cur))
  for (const c of cells) {
    const recorded = view.runs.filter(r => same(r, c) && r.repetition >= 0)
    let done: number
    if (view.status === 'finished') {
      done = perCell
    } else if (live && cur !== null) {
      const inFork = cur.warmup ? spec.warmup + cur.repetition : spec.warmup
      done = same(c, cur)
        ? cur.fork * perFork + inFork * spec.tasks + cur.runDone
        : (recorded.some(r => r.repetition === cur.fork) ? cur.fork + 1 : cur.fork) * perFork
    } else {
      // No live position: count what is stored (recorded runs imply the warm-up ones before them).
      done = recorded.length * perFork
    }
    out.set(c.key, { done: Math.max(0, Math.min(perCell, done)), total: perCell })
  }
  return out
}
