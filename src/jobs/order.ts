// The order of a job's cells within one round of forks, with no imports but a type: the runner,
// the views and the tests share it. The modes are a setting's choices, so config.ts lists them.
import type { CellOrder } from '../config.js'

export type { CellOrder }

/**
 * The cells of round `round` (0-based fork index), in the order they run. `fixed` keeps the
 * declared order every round, so the first cell (serialized) always runs first and absorbs any
 * drift within a round (a CPU that heats up, a neighbour that wakes). `rotate` starts round r at
 * cell r mod n: over n rounds every cell takes every position once, as Google Benchmark's
 * `--benchmark_enable_random_interleaving` does with a shuffle, but reproducibly.
 * Returns a new array; throws a RangeError on a negative or fractional round.
 */
export function cellOrder<T> (cells: readonly T[], round: number, mode: CellOrder = 'rotate'): T[] {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`round must be a non-negative integer: ${round}`)
  if (mode === 'fixed' || cells.length === 0) return [...cells]
  const start = round % cells.length
  return [...cells.slice(start), ...cells.slice(0, start)]
}

/**
 * Each run's 0-based position within its round, from what was recorded: the recorded runs
 * of one fork index sorted by start time. Works for any order the runner used (and for cells that
 * broke off), since it reads the order back rather than recomputing it. Failed warm-ups get no
 * position.
 */
export function positionsInRound (runs: ReadonlyArray<{ id: string, fork: number, warmup: boolean, startedAt: Date }>): Map<string, number> {
  const byRound = new Map<number, Array<{ id: string, startedAt: Date }>>()
  for (const r of runs) {
    if (r.warmup) continue
    byRound.set(r.fork, [...(byRound.get(r.fork) ?? []), r])
  }
  const out = new Map<string, number>()
  for (const round of byRound.values()) {
    round.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()).forEach((r, i) => out.set(r.id, i))
  }
  return out
}
