import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ExecutorError } from '../../src/executors/errors.js'
import type { Executor, ExecutorRunResult } from '../../src/executors/types.js'
import { measureRun } from '../../src/measure/measure-run.js'

const plan = { workload: 'fibonacci', params: { n: 1, repeat: 1 }, tasks: 1 }

function result (): ExecutorRunResult {
  const t = performance.timeOrigin + performance.now()
  return {
    checksums: ['1'],
    times: { dispatchedAt: Float64Array.of(t), startedAt: Float64Array.of(t), endedAt: Float64Array.of(t), receivedAt: Float64Array.of(t), runMs: Float64Array.of(0.01) },
    startedAt: t,
    endedAt: t + 1,
    childCpuUserUs: 0,
    childCpuSystemUs: 0,
    childPeakRssBytes: 0,
    taskCpuMs: 0,
    bytesToWorkers: 0,
    bytesFromWorkers: 0
  }
}

/** Spins this thread for `ms` of CPU. */
function burn (ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {}
}

/** An executor whose run is instant and whose canary burns 60 ms of this thread's CPU; `calls` records the order. */
function fake (canary: Array<() => number[]>): { ex: Executor, calls: string[] } {
  const calls: string[] = []
  const ex: Executor = {
    kind: 'threaded',
    workers: 2,
    serialization: 'structured-clone',
    startupMs: 0,
    start: async () => {},
    run: async () => { calls.push('run'); return result() },
    canary: async () => { calls.push('canary'); burn(60); return (canary.shift() as () => number[])() },
    close: async () => {},
    destroy: async () => {}
  }
  return { ex, calls }
}

test('measureRun times the canary before and after the run, outside its CPU window; the slowest thread\'s reading counts', async () => {
  const { ex, calls } = fake([() => [0.2, 0.25], () => [0.3, 0.22]])
  const r = await measureRun(ex, plan, { taskTimeoutMs: 1000 })
  assert.ok(r.ok)
  assert.deepEqual(calls, ['canary', 'run', 'canary'])
  // 120 ms of canary CPU on this thread, none of it in the run's.
  assert.ok(r.cpuUserMs + r.cpuSystemMs < 40, `run CPU ${r.cpuUserMs + r.cpuSystemMs} ms`)
  assert.deepEqual({ before: r.disturbance?.canaryBeforeMs, after: r.disturbance?.canaryAfterMs }, { before: 0.25, after: 0.3 })
  assert.ok(Math.abs((r.disturbance?.canaryDrift as number) - 0.2) < 1e-9)
})

test('a pool that cannot time the canary before the run fails the run, which is not started; one lost after it costs only the reading', async () => {
  const lost = (): number[] => { throw new ExecutorError('COREBENCH_ERR_WORKER_EXITED', 'worker thread exited with code 1 while it timed the canary') }
  const before = fake([lost])
  const r = await measureRun(before.ex, plan, { taskTimeoutMs: 1000 })
  assert.equal(r.ok, false)
  assert.deepEqual(r.ok ? null : { code: r.code, error: r.error }, { code: 'COREBENCH_ERR_WORKER_EXITED', error: 'worker thread exited with code 1 while it timed the canary' })
  assert.deepEqual(before.calls, ['canary'])

  const after = fake([() => [0.2], lost])
  const r2 = await measureRun(after.ex, plan, { taskTimeoutMs: 1000 })
  assert.ok(r2.ok)
  assert.deepEqual({ before: r2.disturbance?.canaryBeforeMs, after: r2.disturbance?.canaryAfterMs, drift: r2.disturbance?.canaryDrift }, { before: 0.2, after: null, drift: null })
})
