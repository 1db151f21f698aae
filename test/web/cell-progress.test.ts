import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cellProgress } from '../../web/src/progress.js'
import { cellKey, cells } from '../../src/schemas/cells.js'
import type { JobSpec } from '../../src/schemas/job.js'
import type { JobView } from '../../src/schemas/job-view.js'

// 2 cells × 3 forks × (2 warm-ups + 1 recorded run) × 10 tasks = 90 tasks per cell.
const spec = { workload: { id: 'fibonacci', params: {} }, tasks: 10, runtimes: ['node'], executors: ['serialized', 'threaded'], workers: [2], repetitions: 3, warmup: 2 }

type RunStub = { runtime: string, executor: string, workers: number, fork: number, warmup: boolean }

type CellStub = { runtime: string, executor: string, workers: number, done: number, total: number }

function view (cells: CellStub[], runs: RunStub[] = [], s: object = spec, status = 'running'): JobView {
  return { status, spec: s, runs, progress: { tasksDone: 0, tasksTotal: 180, current: null, cells } } as unknown as JobView
}

test('per-cell progress is the server\'s per-cell table, whatever order the runner visits cells in', () => {
  const p = cellProgress(view([{ runtime: 'node', executor: 'threaded', workers: 2, done: 44, total: 90 }, { runtime: 'node', executor: 'serialized', workers: 1, done: 60, total: 90 }]))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 44, total: 90 })
  // A finished job is complete in every cell.
  const q = cellProgress(view([], [], spec, 'finished'))
  assert.deepEqual([...q.values()], [{ done: 90, total: 90 }, { done: 90, total: 90 }])
})

test('a cell the server has not reported counts its recorded runs, each standing for its whole fork', () => {
  const p = cellProgress(view([], [{ runtime: 'node', executor: 'serialized', workers: 1, fork: 0, warmup: false }, { runtime: 'node', executor: 'serialized', workers: 1, fork: 1, warmup: false }, { runtime: 'node', executor: 'threaded', workers: 2, fork: 0, warmup: false }, { runtime: 'node', executor: 'threaded', workers: 2, fork: 1, warmup: true }]))
  assert.deepEqual(p.get('serialized/1'), { done: 60, total: 90 })
  assert.deepEqual(p.get('threaded/2'), { done: 30, total: 90 })
})

// Two runtimes: 4 cells, node's first (the runner's order), 90 tasks each.
const both = { ...spec, runtimes: ['node', 'python'] }

test('two runtimes: cells are runtime-major, keyed as the server keys them', () => {
  // The dashboard uses the server's own cells() and cellKey() (src/schemas/cells.ts imports only types).
  assert.deepEqual(cells(both as unknown as JobSpec).map(cellKey), ['serialized/1', 'threaded/2', 'python/serialized/1', 'python/threaded/2'])
  assert.equal(cellKey({ runtime: 'python-nogil', executor: 'process', workers: 4 }), 'python-nogil/process/4')
})

test('two runtimes: a reported Python cell counts for that cell, not Node\'s of the same executor', () => {
  const p = cellProgress(view([{ runtime: 'python', executor: 'threaded', workers: 2, done: 53, total: 90 }, { runtime: 'node', executor: 'threaded', workers: 2, done: 60, total: 90 }], [], both))
  assert.deepEqual(p.get('threaded/2'), { done: 60, total: 90 })
  assert.deepEqual(p.get('python/threaded/2'), { done: 53, total: 90 })
  assert.deepEqual(p.get('python/serialized/1'), { done: 0, total: 90 })
})

test('two runtimes: stored runs count for the cell of their own runtime', () => {
  const p = cellProgress(view([], [
    { runtime: 'node', executor: 'threaded', workers: 2, fork: 0, warmup: false },
    { runtime: 'python', executor: 'threaded', workers: 2, fork: 0, warmup: false },
    { runtime: 'python', executor: 'threaded', workers: 2, fork: 1, warmup: false }
  ], both))
  assert.deepEqual(p.get('threaded/2'), { done: 30, total: 90 })
  assert.deepEqual(p.get('python/threaded/2'), { done: 60, total: 90 })
  assert.deepEqual(p.get('python/serialized/1'), { done: 0, total: 90 })
})
