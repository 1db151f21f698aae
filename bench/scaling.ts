import { benchCells, type Cell, type CellRow } from './cells.js'
import { cores, plan, round, type Settings } from './lib.js'
import type { RunPlan } from '../src/executors/index.js'

// CPU scaling: a CPU-bound job on every executor and worker count, speedup against `serialized`.
// Two task sizes, both with tasks ≫ workers so the tail (one worker done, another still on its
// last task) stays small: fib(27) (~2.5 ms a task) is fine-grained enough that the per-task
// dispatch round trip shows; fib(30) (~12 ms) shows the scaling of the cores themselves.

export const scalingPlans: RunPlan[] = [
  plan('fibonacci', { n: 27 }, 128),
  plan('fibonacci', { n: 30 }, 64)
]
const GOAL_EFFICIENCY = 0.95
const ASYNC_BAND = [0.9, 1.1] as const

export async function benchScaling (p: RunPlan, s: Settings): Promise<CellRow[]> {
  const cells: Cell[] = [['serialized', 1], ['async', 1]]
  for (const kind of ['threaded', 'process'] as const) {
    for (let w = 1; w <= cores; w++) cells.push([kind, w])
  }
  return await benchCells(p, cells, s, (kind, workers) => {
    if ((kind === 'threaded' || kind === 'process') && workers === cores) {
      return { goal: `≥ ${round(GOAL_EFFICIENCY * cores)}×`, test: v => v >= GOAL_EFFICIENCY * cores }
    }
    // async runs CPU work one task at a time on its one thread: it should match serialized.
    if (kind === 'async') return { goal: `≈ 1.0× (${ASYNC_BAND[0]}–${ASYNC_BAND[1]})`, test: v => v >= ASYNC_BAND[0] && v <= ASYNC_BAND[1] }
    return undefined
  })
}
