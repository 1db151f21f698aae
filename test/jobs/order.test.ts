import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { cellOrder, positionsInRound } from '../../src/jobs/order.js'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'

const cells = ['serialized/1', 'async/1', 'threaded/2', 'process/2']

test('rotate: over n rounds every cell takes every position once, so no cell is always first', () => {
  const rounds = cells.map((_, r) => cellOrder(cells, r))
  for (const order of rounds) assert.deepEqual([...order].sort(), [...cells].sort(), 'each round runs every cell once')
  assert.deepEqual(rounds.map(o => o[0]), cells, 'round r starts with cell r')
  for (let pos = 0; pos < cells.length; pos++) assert.equal(new Set(rounds.map(o => o[pos])).size, cells.length, `position ${pos} is held by every cell`)
  assert.deepEqual(cellOrder(cells, cells.length), cells, 'the cycle repeats')
})

test('fixed keeps the declared order; bad rounds are refused', () => {
  for (let r = 0; r < 5; r++) assert.deepEqual(cellOrder(cells, r, 'fixed'), cells)
  assert.deepEqual(cellOrder([], 3), [])
  assert.throws(() => cellOrder(cells, -1), /round must be a non-negative integer/)
  assert.throws(() => cellOrder(cells, 1.5), /round must be a non-negative integer/)
})

test('positions are read back from the recorded start times, per fork index', () => {
  const at = (ms: number): Date => new Date(ms)
  const p = positionsInRound([
    { id: 'a0', fork: 0, warmup: false, startedAt: at(1) }, { id: 'b0', fork: 0, warmup: false, startedAt: at(2) },
    { id: 'b1', fork: 1, warmup: false, startedAt: at(3) }, { id: 'a1', fork: 1, warmup: false, startedAt: at(4) },
    { id: 'w', fork: 0, warmup: true, startedAt: at(0) }
  ])
  assert.deepEqual(Object.fromEntries(p), { a0: 0, b0: 1, b1: 0, a1: 1 })
})

async function firstCells (env: Record<string, string>, t: TestContext): Promise<string[]> {
  const { app } = await build(t, env)
  const { id } = await submit(app, { ...quickSpec, executors: ['serialized', 'async', 'threaded'], repetitions: 3 })
  const job = await waitFor(app, id)
  assert.equal(job.status, 'finished', job.error)
  assert.ok(job.runs.every((r: any) => Number.isInteger(r.position)), 'every run records its position')
  return job.runs.filter((r: any) => r.position === 0).sort((a: any, b: any) => a.fork - b.fork).map((r: any) => r.executor)
}

test('a job rotates its cells by default and records each run\'s position; CELL_ORDER=fixed does not', async (t) => {
  assert.deepEqual(await firstCells({}, t), ['serialized', 'async', 'threaded'])
  assert.deepEqual(await firstCells({ CELL_ORDER: 'fixed' }, t), ['serialized', 'serialized', 'serialized'])
})
