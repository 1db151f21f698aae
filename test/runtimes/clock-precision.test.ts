// Issue 15 §6: a task's duration comes from its own thread's monotonic clock at full precision, not
// from a difference of epoch stamps (which step by 2^-12 ms at 1.7e12 ms); and a job whose tasks
// are shorter than the clock can resolve says so in its warnings.
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createExecutor } from '../../src/executors/index.js'
import { clockPrecision, clockStepMs, noteClockPrecision, RESOLVE_STEPS } from '../../src/measure/clock.js'
import { measureRun, type RunOutcome } from '../../src/measure/measure-run.js'
import { runPythonFork } from '../../src/runtimes/python/index.js'
import { resolveParams } from '../../src/workloads/index.js'
import { build } from '../helpers/app.js'
import { submit, waitFor } from '../helpers/jobs.js'
import { settled } from '../helpers/settled.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-clock-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

const EPOCH_STEP_MS = 2 ** -12
const fib1 = { workload: 'fibonacci', params: (resolveParams('fibonacci', { n: 1 }) as { params: Record<string, unknown> }).params, tasks: 2000 }

/** Run times of a run's tasks: how many distinct values, and how many fall on the epoch clock's grid. */
function runTimes (o: RunOutcome | undefined): { distinct: number, onEpochGrid: number, tasks: number } {
  assert.ok(o?.ok === true, JSON.stringify(o))
  const run = Array.from({ length: o.timings.length / 3 }, (_, i) => o.timings[i * 3 + 1] as number)
  return { distinct: new Set(run).size, onEpochGrid: run.filter(v => Number.isInteger(v / EPOCH_STEP_MS)).length, tasks: run.length }
}

function assertFullPrecision (label: string, r: { distinct: number, onEpochGrid: number, tasks: number }): void {
  // Epoch differences give a handful of values (27 for ~0.7 µs tasks), every one a multiple of
  // 2^-12 ms; the thread's own clock gives hundreds, almost none of them on that grid.
  assert.ok(r.onEpochGrid < r.tasks / 10, `${label}: ${r.onEpochGrid} of ${r.tasks} run times are multiples of 2^-12 ms`)
  assert.ok(r.distinct > 50, `${label}: only ${r.distinct} distinct run times in ${r.tasks} tasks`)
}

for (const kind of ['serialized', 'threaded', 'process'] as const) {
  test(`node ${kind}: fibonacci(1) run times at the clock's full precision`, async (t) => {
    const ex = createExecutor(kind, 1)
    t.after(async () => { await ex.destroy() })
    await ex.start()
    const r = runTimes(await measureRun(ex, fib1, { taskTimeoutMs: 10_000 }))
    t.diagnostic(`${r.distinct} distinct, ${r.onEpochGrid} on the 2^-12 ms grid`)
    assertFullPrecision(kind, r)
  })
}

test('python serialized: fibonacci(1) run times at the clock\'s full precision; the harness reports its clock step', async (t) => {
  let step = 0
  const outcomes = await runPythonFork({ ...fib1, executor: 'serialized', workers: 1, warmup: 0 }, { taskTimeoutMs: 10_000, onPool: pool => { step = pool.clockStepMs } })
  const r = runTimes(outcomes[0])
  t.diagnostic(`${r.distinct} distinct, ${r.onEpochGrid} on the 2^-12 ms grid; clock step ${step} ms`)
  assertFullPrecision('python', r)
  assert.ok(step > 0 && step < 0.1, `clock step ${step} ms`)
  assert.equal((outcomes[0] as { clock: { stepMs: number } }).clock.stepMs, step)
})

test('the clock step is measured once, positive and small; tasks under 10 steps are counted; the warning comes once per cell and only for a majority', () => {
  const step = clockStepMs()
  assert.ok(step > 0 && step < 0.1, `step ${step} ms`)
  assert.equal(clockStepMs(), step)
  const timings = Float32Array.from([0, 0.5, 0, 0, 2, 0, 0, 0.9, 0, 0, 1, 0])
  assert.deepEqual(clockPrecision(timings, 0.1), { stepMs: 0.1, shortTasks: 2, tasks: 4 })
  const warnings: string[] = ['other']
  noteClockPrecision(warnings, 'serialized/1', { stepMs: 0.1, shortTasks: 2, tasks: 4 })
  assert.deepEqual(warnings, ['other'], 'half the tasks is not most of them')
  noteClockPrecision(warnings, 'serialized/1', { stepMs: 0.1, shortTasks: 3, tasks: 4 })
  noteClockPrecision(warnings, 'serialized/1', { stepMs: 0.2, shortTasks: 4, tasks: 4 })
  noteClockPrecision(warnings, 'threaded/2', { stepMs: 0.1, shortTasks: 4, tasks: 4 })
  assert.equal(warnings.length, 3)
  assert.match(warnings[1] as string, new RegExp(`^serialized/1: 3 of 4 tasks ran for less than ${RESOLVE_STEPS} steps of the clock .* 100 µs here, so under 1000 µs`))
  assert.match(warnings[2] as string, /^threaded\/2: /)
})

/** A stand-in interpreter: answers the version probe, then plays one harness fork whose tasks last 1 ns on a 1 µs clock. */
function coarseClockPython (): string {
  const path = join(tmp, 'python-coarse-clock')
  const tasks = 8
  const arr = (v: number): string => JSON.stringify(Array(tasks).fill(v))
  writeFileSync(path, `#!/bin/sh
if [ "$2" = "-c" ]; then
  echo '{"corebenchProbe": 1, "version": "3.11.0", "versionInfo": [3, 11], "implementation": "CPython", "executable": "${path}", "gil": true, "freeThreaded": false}'
  exit 0
fi
read -r plan
echo '{"type":"hello","protocol":2,"python":"3.11.0","implementation":"CPython","gil":true,"pid":'$$',"workloads":["sum-range"]}'
echo '{"type":"pool","startupMs":1,"pids":['$$'],"startMethod":null,"clockStepMs":0.001}'
echo '{"type":"tasks","run":0,"from":0,"checksums":${JSON.stringify(Array(tasks).fill('0'))},"times":{"dispatchedAt":${arr(1e12)},"startedAt":${arr(1e12)},"endedAt":${arr(1e12)},"receivedAt":${arr(1e12)},"runMs":${arr(0.000001)}}}'
echo '{"type":"run","run":0,"warmup":false,"ok":true,"tasks":${tasks},"startedAt":1000000000000,"endedAt":1000000000001,"startupMs":1,"cpuUserMs":1,"cpuSystemMs":0,"peakRssBytes":1,"bytesToWorkers":0,"bytesFromWorkers":0,"serialization":"none"}'
`)
  chmodSync(path, 0o755)
  return path
}

test('a job whose tasks are shorter than the clock can resolve says so in its warnings, once for the cell', async (t) => {
  const { app } = await build(t, { PYTHON: coarseClockPython() })
  await settled(app)
  const id = (await submit(app, { workload: { id: 'sum-range', params: { n: 1 } }, tasks: 8, runtimes: ['python'], executors: ['serialized'], repetitions: 3, warmup: 0 })).id
  const job = await waitFor(app, id)
  assert.equal(job.status, 'finished', job.error)
  const clock = job.warnings.filter((w: string) => w.includes('steps of the clock'))
  assert.equal(clock.length, 1, JSON.stringify(job.warnings))
  assert.match(clock[0], /^python\/serialized\/1: 8 of 8 tasks ran for less than 10 steps of the clock that timed them \(one step, two back-to-back reads, is 1 µs here, so under 10 µs\)/)
})
