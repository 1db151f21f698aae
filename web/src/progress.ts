// Where a job stands, per cell, from what the runner reports. Pure: the job page renders it and
// tests check it without a browser.
import { cellsOf } from './cells.js'
import type { JobView } from './types.js'

/**
 * Tasks done per cell, from the live position of the runner: cells run interleaved fork by fork,
 * and every fork runs `warmup` warm-ups and one recorded run. `threaded/2` in Node and in Python
 * are two cells: a position matches on the runtime too.
 */
export function cellProgress (view: JobView): Map<string, { done: number, total: number }> {
  const spec = view.spec
  const cells = cellsOf(spec)
  const perFork = (spec.warmup + 1) * spec.tasks
  const perCell = spec.repetitions * perFork
  const out = new Map<string, { done: number, total: number }>()
  const cur = view.progress.current
  const curIndex = cur === null ? -1 : cells.findIndex(c => c.runtime === cur.runtime && c.executor === cur.executor && c.workers === cur.workers)
  for (const [i, c] of cells.entries()) {
    let done: number
    if (view.status === 'finished') {
      done = perCell
    } else if (cur !== null && curIndex >= 0 && view.status === 'running') {
      const inFork = cur.warmup ? spec.warmup + cur.repetition : spec.warmup
      done = (i < curIndex ? cur.fork + 1 : cur.fork) * perFork + (i === curIndex ? inFork * spec.tasks + cur.runDone : 0)
    } else {
      // No live position: count what is stored (recorded runs imply the warm-up ones before them).
      const recorded = view.runs.filter(r => r.runtime === c.runtime && r.executor === c.executor && r.workers === c.workers && r.repetition >= 0).length
      done = recorded * perFork
    }
    out.set(c.key, { done: Math.max(0, Math.min(perCell, done)), total: perCell })
  }
  return out
}
