// Which stored runs the statistics use when some were disturbed and redone (README "Disturbed runs").
import { cellKey } from '../schemas/cells.js'
import type { RunRecord } from '../store/types.js'

type Tries = Pick<RunRecord, 'runtime' | 'executor' | 'workers' | 'fork' | 'warmup' | 'disturbed' | 'redo'>

/**
 * The runs that count: of each fork's tries (the same cell and fork, `redo` 0, 1, …) the latest
 * one that was not disturbed, or the last try when every one was; failed warm-ups pass through. Order is kept. The runs left out stay stored and listed.
 */
export function countedRuns<T extends Tries> (runs: readonly T[]): T[] {
  const chosen = new Map<string, T>()
  for (const r of runs) {
    if (r.warmup) continue
    const fork = `${cellKey(r)}#${r.fork}`
    const seen = chosen.get(fork)
    const better = seen === undefined || (seen.disturbed && !r.disturbed) || (seen.disturbed === r.disturbed && r.redo > seen.redo)
    if (better) chosen.set(fork, r)
  }
  const keep = new Set(chosen.values())
  return runs.filter(r => r.warmup || keep.has(r))
}

/** How disturbance touched a set of runs: what a summary, a warning and the dashboard say. */
export interface DisturbedCounts {
  /** Stored recorded runs flagged disturbed, counted or not. */
  disturbed: number
  /** Redos run (tries after the first), whatever their outcome. */
  redos: number
  /** Counted runs that are disturbed: forks disturbed on every try, whose last try is in the statistics. */
  counted: number
}

/** Counts for `runs` (all stored runs of a job or a cell) given the ones countedRuns kept. */
export function disturbedCounts (runs: readonly Tries[], counted: readonly Tries[]): DisturbedCounts {
  const recorded = runs.filter(r => !r.warmup)
  return {
    disturbed: recorded.filter(r => r.disturbed).length,
    redos: recorded.filter(r => r.redo > 0).length,
    counted: counted.filter(r => r.disturbed).length
  }
}
