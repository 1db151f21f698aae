import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cellKey, cellsOf } from '../../web/src/cells.js'
import { cellProgress } from '../../web/src/progress.js'
import type { JobSpec, JobView, LiveProgress } from '../../web/src/types.js'
import { cellKey as serverCellKey, cells as serverCells } from '../../src/jobs/cells.js'
import type { JobSpec as ServerSpec } from '../../src/schemas/job.js'

// 2 cells × 3 forks × (2 warm-ups + 1 recorded run) × 10 tasks = 90 tasks per cell.
const spec = { workload: { id: 'fibonacci', params: {} }, tasks: 10, runtimes: ['node'], executors: ['serialized', 'threaded'], workers: [2], repetitions: 3, warmup: 2 }

type RunStub = { runtime: string, executor: string, workers: number, repetition: number }

function view (current: LiveProgress | null, runs: RunStub[] = [], s: object = spec): JobView {
  return { status: 'running', spec: s, runs, progress: { tasksDone: 0, tasksTotal: 180, current } } as unknown as JobView
}

test('per-cell progress follows the runner fork by fork, warm-ups included', () => {
  // Second fork, threaded, its second warm-up (repetition -1) 4 tasks in: serialized has done
  // two forks (its run of this round is recorded), threaded one fork plus one warm-up plus 4 tasks.
  const ser = (repetition: number): RunStub => ({ runtime: 'node', executor: 'serialized', workers: 1, repetition })
  const p = cellProgress(view({ runtime: 'node', executor: 'threaded', workers: 2, fork: 1, repetition: -1, warmup: true, runDone: 4, runTotal: 10 }, [ser(0), ser(1)]))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 30 + 10 + 4, total: 90 })

  // The recorded run of the last fork of the first cell: the second cell has two forks done.
  const q = cellProgress(view({ runtime: 'node', executor: 'serialized', workers: 1, fork: 2, repetition: 2, warmup: false, runDone: 7, runTotal: 10 }, [ser(0), ser(1)]))
  assert.deepEqual(q.get('serialized/1'), { done: 60 + 20 + 7, total: 90 })
  assert.deepEqual(q.get('threaded/2'), { done: 60, total: 90 })
})

test('without a live position, each recorded run stands for its whole fork', () => {
  const p = cellProgress(view(null, [{ runtime: 'node', executor: 'serialized', workers: 1, repetition: 0 }, { runtime: 'node', executor: 'serialized', workers: 1, repetition: 1 }, { runtime: 'node', executor: 'threaded', workers: 2, repetition: 0 }]))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 30, total: 90 })
})

// Two runtimes: 4 cells, node's first (the runner's order), 90 tasks each.
const both = { ...spec, runtimes: ['node', 'python'] }

test('two runtimes: cells are runtime-major, keyed as the server keys them', () => {
  assert.deepEqual(cellsOf(both as JobSpec).map(c => c.key), ['serialized/1', 'threaded/2', 'python/serialized/1', 'python/threaded/2'])
  // The same cells and keys as the server's own cells() and cellKey(), for every runtime and executor.
  const wide = { ...spec, runtimes: ['node', 'python', 'python-nogil'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [1, 2, 4] }
  assert.deepEqual(cellsOf(wide as JobSpec).map(c => c.key), serverCells(wide as unknown as ServerSpec).map(serverCellKey))
  assert.equal(cellKey({ runtime: 'python-nogil', executor: 'process', workers: 4 }), 'python-nogil/process/4')
})

test('two runtimes: a live position in a Python cell counts for that cell, not Node\'s of the same executor', () => {
  // Second fork, python threaded, its recorded run 3 tasks in: every node cell and python serialized
  // have done two forks; python threaded one fork plus both warm-ups plus 3 tasks.
  const thisRound = ['serialized/1', 'threaded/2'].flatMap(k => ['node', 'python'].map(runtime => ({ runtime, executor: k.split('/')[0] as string, workers: Number(k.split('/')[1]), repetition: 1 })))
  const p = cellProgress(view({ runtime: 'python', executor: 'threaded', workers: 2, fork: 1, repetition: 1, warmup: false, runDone: 3, runTotal: 10 }, thisRound.filter(r => !(r.runtime === 'python' && r.executor === 'threaded')), both))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 60, total: 90 })
  assert.deepEqual(p.get('python/serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('python/threaded/2'), { done: 30 + 20 + 3, total: 90 })

  // In Node's threaded cell of the same fork: the Python cells after it have one fork done.
  const q = cellProgress(view({ runtime: 'node', executor: 'threaded', workers: 2, fork: 1, repetition: -2, warmup: true, runDone: 5, runTotal: 10 }, [], both))
  assert.deepEqual(q.get('threaded/2'), { done: 30 + 5, total: 90 })
  assert.deepEqual(q.get('python/threaded/2'), { done: 30, total: 90 })
})

test('two runtimes: stored runs count for the cell of their own runtime', () => {
  const p = cellProgress(view(null, [
    { runtime: 'node', executor: 'threaded', workers: 2, repetition: 0 },
    { runtime: 'python', executor: 'threaded', workers: 2, repetition: 0 },
    { runtime: 'python', executor: 'threaded', workers: 2, repetition: 1 }
  ], both))
  assert.deepEqual(p.get('threaded/2'), { done: 30, total: 90 })
  assert.deepEqual(p.get('python/threaded/2'), { done: 60, total: 90 })
  assert.deepEqual(p.get('python/serialized/1'), { done: 0, total: 90 })
})

test('a rotated round: the cells already run this round count one fork more, whatever their place', () => {
  // Round 2 (fork 1) started with threaded (rotation); serialized is running now, threaded is done.
  const p = cellProgress(view({ runtime: 'node', executor: 'serialized', workers: 1, fork: 1, repetition: -2, warmup: true, runDone: 2, runTotal: 10 }, [
    { runtime: 'node', executor: 'serialized', workers: 1, repetition: 0 },
    { runtime: 'node', executor: 'threaded', workers: 2, repetition: 0 },
    { runtime: 'node', executor: 'threaded', workers: 2, repetition: 1 }
  ]))
  assert.deepEqual(p.get('serialized/1'), { done: 30 + 2, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 60, total: 90 })
})
