import assert from 'node:assert/strict'
import { test } from 'node:test'
import { summarize } from '../../src/stats/summary.js'
import { cell, spec } from './fixtures/runs.js'

const amdahl = (f: number, p: number): number => 1 / (f + (1 - f) / p)
const SERIAL_MS = 1000

/** A threaded sweep whose speedups follow Amdahl with serial fraction f. */
function sweep (workers: number[], f: number, n: number): ReturnType<typeof cell> {
  return [...cell('serialized', 1, SERIAL_MS, n, 1), ...workers.flatMap(w => cell('threaded', w, SERIAL_MS / amdahl(f, w), n, w))]
}

test('a pool of 4 on 2 cores is never recommended for CPU work, and no model is fitted from 2 usable worker counts', () => {
  // Throughput still rises to 4 workers (a measurement artefact the README's sweep showed).
  const runs = [...cell('serialized', 1, SERIAL_MS, 6, 1), ...cell('threaded', 1, 1000, 6, 1), ...cell('threaded', 2, 560, 6, 2), ...cell('threaded', 4, 500, 6, 2)]
  const s = summarize(spec({ executors: ['serialized', 'threaded'], workers: [1, 2, 4] }), runs, undefined, 2)
  const t = s.scaling.find(x => x.executor === 'threaded')
  assert.ok(t !== undefined)
  assert.equal(s.cpuBound, true)
  assert.ok((t.recommendedWorkers as number) <= 2, `recommended ${t.recommendedWorkers}`)
  assert.equal(t.amdahl, null)
  assert.equal(t.usl.ok, false)
  assert.match(t.notEnoughData as string, /not enough data: 2 worker counts within the 2 usable cores, a scaling model needs 3/)
  assert.ok(t.points.every(p => p.karpFlatt === null), 'no Karp–Flatt from two counts')
})

test('Amdahl with 3 worker counts: fitted, interval over repetitions, ceiling at the cores (never 1/f)', () => {
  const s = summarize(spec({ executors: ['serialized', 'threaded'], workers: [1, 2, 4] }), sweep([1, 2, 4], 0.1, 6), undefined, 8)
  const t = s.scaling[0]
  assert.ok(t?.amdahl != null)
  assert.equal(t.notEnoughData, null)
  assert.ok(Math.abs(t.amdahl.serialFraction - 0.1) < 0.02, `f ${t.amdahl.serialFraction}`)
  assert.ok(Math.abs(t.amdahl.ceiling - amdahl(t.amdahl.serialFraction, 8)) < 1e-9, 'speedup at 8 cores, not 1/f = 10')
  const ci = t.amdahl.serialFractionCi95
  assert.ok(ci != null && ci[0] <= t.amdahl.serialFraction && t.amdahl.serialFraction <= ci[1], JSON.stringify(ci))
  assert.ok(t.points.some(p => p.karpFlatt !== null))
  // Three repetitions: the fit stands, its interval does not.
  const few = summarize(spec({ executors: ['serialized', 'threaded'], workers: [1, 2, 4], repetitions: 3 }), sweep([1, 2, 4], 0.1, 3), undefined, 8)
  assert.equal(few.scaling[0]?.amdahl?.serialFractionCi95, null)
})

test('points past the cores are left out of CPU fits; a USL peak past them is not reported', () => {
  // 1, 2, 4 within 4 cores; 8 and 16 measured but oversubscribed.
  const s = summarize(spec({ executors: ['serialized', 'threaded'], workers: [1, 2, 4, 8, 16] }), sweep([1, 2, 4, 8, 16], 0.05, 6), undefined, 4)
  const t = s.scaling[0]
  assert.ok(t?.amdahl != null)
  assert.equal(t.limit, 4)
  assert.ok(t.amdahl.ceiling <= 4, `ceiling ${t.amdahl.ceiling}`)
  assert.ok(t.usl.ok && (t.usl.peakWorkers === null || t.usl.peakWorkers <= 4))
  assert.ok((t.recommendedWorkers as number) <= 4)
  assert.ok(t.points.filter(p => p.workers > 4).every(p => p.karpFlatt === null))
})

test('waiting work is not capped at the cores: 5 sleeping workers may be the pick on 2 cores', () => {
  const runs = [...cell('serialized', 1, 5000, 6, 0.01), ...cell('threaded', 1, 5000, 6, 0.01), ...cell('threaded', 2, 2500, 6, 0.01), ...cell('threaded', 5, 1000, 6, 0.01)]
  const s = summarize(spec({ workload: { id: 'sleep', params: {} }, tasks: 5, executors: ['serialized', 'threaded'], workers: [1, 2, 5] }), runs, undefined, 2)
  assert.equal(s.cpuBound, false)
  assert.equal(s.scaling[0]?.recommendedWorkers, 5)
  assert.equal(s.scaling[0]?.notEnoughData, null)
})
