import assert from 'node:assert/strict'
import { test } from 'node:test'
import { summarize } from '../../src/stats/summary.js'
import { cell, spec } from './fixtures/runs.js'

const impossible = (warnings: string[]): string[] => warnings.filter(w => w.startsWith('IMPOSSIBLE RESULT'))

test('self-check: a 1-worker cell faster than serialized on CPU work is a loud warning', () => {
  // The case: async at 1.32× with a tight interval, serialized slowed by drift.
  const s = summarize(spec(), [...cell('serialized', 1, 1320, 6, 1), ...cell('async', 1, 1000, 6, 1), ...cell('threaded', 2, 700, 6, 2)], undefined, 2)
  const found = impossible(s.warnings)
  assert.equal(found.length, 1, JSON.stringify(s.warnings))
  assert.match(found[0] as string, /async\/1 ran CPU-bound work faster than serialized with one worker \(1\.32×, 95 % interval/)
  assert.deepEqual(s.impossible, found)
  assert.match(s.answer as string, /Some results are impossible/)
  // Within noise (3 %, no interval with 3 runs): nothing to say.
  const noisy = summarize(spec({ repetitions: 3 }), [...cell('serialized', 1, 1030, 3, 1), ...cell('async', 1, 1000, 3, 1)], undefined, 2)
  assert.deepEqual(impossible(noisy.warnings), [])
})

test('self-check: efficiency above 100 % and speedup above the usable cores', () => {
  const over = summarize(spec({ executors: ['serialized', 'threaded'], workers: [2] }), [...cell('serialized', 1, 1000, 6, 1), ...cell('threaded', 2, 380, 6, 2)], undefined, 4)
  assert.match(impossible(over.warnings).join('\n'), /threaded\/2 has an efficiency above 100 % \(2\.6\d×/)
  const cores = summarize(spec({ executors: ['serialized', 'threaded'], workers: [4] }), [...cell('serialized', 1, 1000, 6, 1), ...cell('threaded', 4, 330, 6, 2)], undefined, 2)
  assert.match(impossible(cores.warnings).join('\n'), /threaded\/4 reports a speedup above the 2 usable cores/)
})

test('self-checks stay quiet for waiting work, where overlap beyond the cores is the point', () => {
  const s = summarize(spec({ workload: { id: 'sleep', params: {} } }), [...cell('serialized', 1, 5000, 6, 0.01), ...cell('async', 1, 1000, 6, 0.01), ...cell('threaded', 2, 2500, 6, 0.01)], undefined, 2)
  assert.equal(s.cpuBound, false)
  assert.deepEqual(impossible(s.warnings), [])
})

test('intervals and outlier flags only from 6 repetitions on', () => {
  const three = [...cell('serialized', 1, 1000, 3, 1), ...cell('threaded', 2, 550, 3, 2)]
  three[2] = { ...three[2] as (typeof three)[number], wallMs: 5000 }
  const s3 = summarize(spec({ executors: ['serialized', 'threaded'], repetitions: 3 }), three, undefined, 2)
  for (const c of s3.cells) {
    assert.equal(c.speedupCi95, null, `${c.key}: no bootstrap from 3 samples`)
    assert.equal(c.medianWallCi95, null)
    assert.deepEqual(c.outlierRunIds, [])
  }
  const six = [...cell('serialized', 1, 1000, 6, 1), ...cell('threaded', 2, 550, 6, 2)]
  six[5] = { ...six[5] as (typeof six)[number], wallMs: 5000 }
  const s6 = summarize(spec({ executors: ['serialized', 'threaded'] }), six, undefined, 2)
  const t = s6.cells.find(c => c.executor === 'threaded')
  assert.ok(t?.speedupCi95 != null && t.medianWallCi95 !== null)
  assert.equal(s6.cells.find(c => c.executor === 'serialized')?.outlierRunIds.length, 1)
})

test('the plain answer: busy cores of the usable ones, speedups, the loop, and why each task slowed', () => {
  const runs = [...cell('serialized', 1, 1000, 6, 1), ...cell('async', 1, 1000, 6, 1), ...cell('threaded', 2, 550, 6, 1.9), ...cell('process', 2, 530, 6, 1.9)]
  // Per task (queue, run, return) ms: 100 ms alone, 160 ms two at a time.
  const timings = new Map(runs.map(r => [r.id, new Float32Array([0, r.executor === 'serialized' || r.executor === 'async' ? 100 : 160, 0])]))
  const s = summarize(spec({ executors: ['serialized', 'async', 'threaded', 'process'] }), runs, timings, 2)
  assert.equal(s.cells.find(c => c.executor === 'threaded')?.busyShare, 0.95)
  assert.equal(s.cells.find(c => c.executor === 'process')?.taskSlowdown, 1.6)
  assert.equal(s.answer, 'CPU-bound: threads use 1.9 of 2 cores (1.82×, +20 ms start-up per pool), processes 1.9 (1.89×, +20 ms start-up per pool), one event loop stays at 1.00× (the GIL analogue: one thread at a time). ' +
    'Each task ran 1.60× slower in a thread pool of 2 than alone (contention for shared caches, memory bandwidth, SMT siblings or a noisy neighbour): that is why 1.9 busy cores gave only 1.82×.')
})

test('a CPU workload is CPU-bound by its kind even when a loaded host shows 0.4 busy cores in serialized', () => {
  // What a shared 2-core machine gave: fib, async 3.36× "faster" than serialized with one worker.
  const s = summarize(spec({ repetitions: 2 }), [...cell('serialized', 1, 20, 2, 0.4), ...cell('async', 1, 6, 2, 1.3)], undefined, 2)
  assert.equal(s.cpuBound, true)
  assert.match(impossible(s.warnings).join('\n'), /async\/1 ran CPU-bound work faster than serialized/)
  // A workload the catalog does not know falls back on the measured busy cores.
  assert.equal(summarize(spec({ workload: { id: 'nope', params: {} } }), cell('serialized', 1, 20, 2, 0.4), undefined, 2).cpuBound, false)
})
