// Where a job stands, per cell, as the server reports it. Pure: the job page renders it and tests
// check it without a browser. The runner sends each cell's own count with its progress events, so
// nothing here knows the order in which the runner visits cells.
import { cellKey, cells } from '../../src/schemas/cells.js'
import type { JobView } from '../../src/schemas/job-view.js'

/**
 * Tasks done per cell (warm-ups included) out of the cell's total: a finished job's cells are
 * complete; a running one's come from the server's per-cell table; a cell the server has not
 * reported (a job stream joined late, a stopped job) counts its stored recorded runs, each standing
 * for its whole fork.
 */
export function cellProgress (view: JobView): Map<string, { done: number, total: number }> {
  const spec = view.spec
  const perFork = (spec.warmup + 1) * spec.tasks
  const perCell = spec.repetitions * perFork
  const live = new Map((view.progress.cells ?? []).map(c => [cellKey(c), c.done]))
  const out = new Map<string, { done: number, total: number }>()
  for (const cell of cells(spec)) {
    const c = { ...cell, key: cellKey(cell) }
    let done: number
    if (view.status === 'finished') {
      done = perCell
    } else {
      const recorded = view.runs.filter(r => r.runtime === c.runtime && r.executor === c.executor && r.workers === c.workers && !r.warmup).length
      done = Math.max(live.get(c.key) ?? 0, recorded * perFork)
    }
    out.set(c.key, { done: Math.max(0, Math.min(perCell, done)), total: perCell })
  }
  return out
}
