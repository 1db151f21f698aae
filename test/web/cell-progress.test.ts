import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cellProgress } from '../../web/src/progress.js'
import type { JobView, LiveProgress } from '../../web/src/types.js'

// 2 cells × 3 forks × (2 warm-ups + 1 recorded run) × 10 tasks = 90 tasks per cell.
const spec = { workload: { id: 'fibonacci', params: {} }, tasks: 10, executors: ['serialized', 'threaded'], workers: [2], repetitions: 3, warmup: 2 }

function view (current: LiveProgress | null, runs: Array<{ executor: string, workers: number, repetition: number }> = []): JobView {
  return { status: 'running', spec, runs, progress: { tasksDone: 0, tasksTotal: 180, current } } as unknown as JobView
}

test('per-cell progress follows the runner fork by fork, warm-ups included', () => {
  // Second fork, threaded, its second warm-up (repetition -1) 4 tasks in: serialized has done
  // two forks, threaded one fork plus one warm-up plus 4 tasks.
  const p = cellProgress(view({ executor: 'threaded', workers: 2, fork: 1, repetition: -1, warmup: true, runDone: 4, runTotal: 10 }))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 30 + 10 + 4, total: 90 })

  // The recorded run of the last fork of the first cell: the second cell has two forks done.
  const q = cellProgress(view({ executor: 'serialized', workers: 1, fork: 2, repetition: 2, warmup: false, runDone: 7, runTotal: 10 }))
  assert.deepEqual(q.get('serialized/1'), { done: 60 + 20 + 7, total: 90 })
  assert.deepEqual(q.get('threaded/2'), { done: 60, total: 90 })
})

test('without a live position, each recorded run stands for its whole fork', () => {
  const p = cellProgress(view(null, [{ executor: 'serialized', workers: 1, repetition: 0 }, { executor: 'serialized', workers: 1, repetition: 1 }, { executor: 'threaded', workers: 2, repetition: 0 }]))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 30, total: 90 })
})
