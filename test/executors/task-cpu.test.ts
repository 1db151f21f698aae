// run-tests: alone (a busy thread must reach 0.8 busy cores)
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { createExecutor, type Executor, type ExecutorKind, type ExecutorRunResult, type RunPlan } from '../../src/executors/index.js'
import { measureRun, type RunMetrics, type RunOutcome } from '../../src/measure/measure-run.js'
import { threadCpuNs, threadsCpuNs } from '../../src/executors/thread-cpu.js'
import { getWorkload, resolveParams } from '../../src/workloads/index.js'

// Issue 13 "Honest CPU": the busy cores of a run are those of the threads that ran its tasks, not
// of whatever else the coordinator's process (or a child's GC and watchdog threads) did meanwhile.

function plan (workload: string, params: Record<string, unknown>, tasks: number): RunPlan {
  const r = resolveParams(workload, params)
  if (!r.ok) throw new Error(r.errors.map(e => e.message).join('; '))
  return { workload, params: r.params, tasks }
}

async function started (t: TestContext, kind: ExecutorKind, workers: number): Promise<Executor> {
  const ex = createExecutor(kind, workers)
  t.after(async () => { await ex.destroy() })
  await ex.start()
  return ex
}

function ok (r: RunOutcome): RunMetrics {
  if (!r.ok) assert.fail(`run failed: ${r.code}: ${r.error}`)
  return r
}

function figures (r: RunMetrics): string {
  const f = (v: number | null): string => v === null ? 'null' : v.toFixed(1)
  return `wall ${f(r.wallMs)} ms, task CPU ${f(r.taskCpuMs)} ms, coordinator CPU ${f(r.coordinatorCpuMs)} ms, user+system ${f(r.cpuUserMs + r.cpuSystemMs)} ms, busyCores ${r.busyCores.toFixed(2)}, whole-process figure ${((r.cpuUserMs + r.cpuSystemMs) / r.wallMs).toFixed(2)}`
}

// A few hundred ms of one thread's work: long against the 1–10 ms scheduler tick that bounds the error
// of a schedstat read, short for a loaded machine.
const fib = plan('fibonacci', { n: 24, repeat: 4 }, 40)

const linux = threadCpuNs() !== undefined

/**
 * CPU (ms) of `p`'s tasks run here, on the calling thread, after one warm-up pass: what the work
 * itself costs, independent of how loaded the machine is (wall time is not: on a loaded machine a
 * worker gets well under one core).
 */
async function referenceCpuMs (p: RunPlan): Promise<number> {
  const w = getWorkload(p.workload)
  if (w === undefined) throw new Error(p.workload)
  const pass = async (): Promise<void> => { for (let i = 0; i < p.tasks; i++) await w.run(p.params as never, { index: i, tmpDir: '/tmp' }) }
  await pass()
  const c0 = threadCpuNs() as number
  await pass()
  return ((threadCpuNs() as number) - c0) / 1e6
}

describe('task CPU (Linux /proc)', { skip: linux ? false : 'no /proc per-thread CPU on this platform' }, () => {
  test('serialized: the coordinator thread burning CPU during the run is not the workload\'s', async (t) => {
    const ex = await started(t, 'serialized', 1)
    const workMs = await referenceCpuMs(fib)
    // The test's own thread is the coordinator's: burn it in 5 ms slices (so that results still get
    // through between slices) for as long as the run lasts. The old figure counted all of it.
    let running = true
    let burnNs = 0
    const burn = (): void => {
      if (!running) return
      const c0 = threadCpuNs() as number
      const until = performance.now() + 5
      while (performance.now() < until) { /* busy */ }
      burnNs += (threadCpuNs() as number) - c0
      setImmediate(burn)
    }
    setImmediate(burn)
    const r = ok(await measureRun(ex, fib, { taskTimeoutMs: 120_000 }).finally(() => { running = false }))
    t.diagnostic(`${figures(r)}, burnt ${(burnNs / 1e6).toFixed(1)} ms, the work alone ${workMs.toFixed(1)} ms`)
    assert.ok(r.taskCpuMs !== null && r.coordinatorCpuMs !== null, 'both per-thread figures are measured on Linux')
    // At most one core's worth over the wall; at least half of what the work costs on its own (a CPU
    // bound, not a wall bound: on a loaded machine the worker gets well under one core of the wall).
    assert.ok(r.taskCpuMs <= 1.05 * r.wallMs, `one thread ran the tasks: ${figures(r)}`)
    assert.ok(r.taskCpuMs >= 0.5 * workMs, `the worker's CPU holds the work (${workMs.toFixed(1)} ms here): ${figures(r)}`)
    assert.ok(r.busyCores <= 1.05, `busy cores of one thread: ${figures(r)}`)
    // The workload's busy core-ms leave the burn out (the old figure, whole-process CPU / wall, held it).
    assert.ok(r.busyCores * r.wallMs <= r.cpuUserMs + r.cpuSystemMs - 0.8 * burnNs / 1e6, `the burn is not the workload's: ${figures(r)}`)
    // The burn is the coordinator's (its thread), and part of what the run cost the machine.
    assert.ok(r.coordinatorCpuMs >= 0.8 * burnNs / 1e6, `coordinator CPU ${r.coordinatorCpuMs} ms holds the ${burnNs / 1e6} ms burnt`)
    assert.ok(r.cpuUserMs + r.cpuSystemMs >= r.taskCpuMs, figures(r))
  })

  test('threaded with 2 workers: the workers did the work, at most 2 busy cores', async (t) => {
    const ex = await started(t, 'threaded', 2)
    const r = ok(await measureRun(ex, fib, { taskTimeoutMs: 120_000 }))
    t.diagnostic(figures(r))
    assert.ok(r.taskCpuMs !== null && r.coordinatorCpuMs !== null)
    assert.ok(r.taskCpuMs > r.coordinatorCpuMs, figures(r))
    assert.ok(r.busyCores > 0 && r.busyCores <= 2.1, figures(r))
    assert.ok(r.cpuUserMs + r.cpuSystemMs >= r.taskCpuMs, figures(r))
  })

  test('process: each child\'s main thread, within what the children and the runner cost', async (t) => {
    const ex = await started(t, 'process', 2)
    const r = ok(await measureRun(ex, fib, { taskTimeoutMs: 120_000 }))
    t.diagnostic(figures(r))
    assert.ok(r.taskCpuMs !== null && r.taskCpuMs > 0, figures(r))
    assert.ok(r.taskCpuMs <= r.cpuUserMs + r.cpuSystemMs, figures(r))
    assert.ok(r.busyCores <= 2.1, figures(r))
  })

  test('a thread that cannot be read makes the sum unknown, not smaller', () => {
    assert.equal(threadsCpuNs(['/proc/thread-self', '/proc/self/task/0']), undefined)
    assert.equal(threadsCpuNs([]), undefined)
    assert.ok((threadsCpuNs(['/proc/thread-self']) as number) > 0)
  })
})

test('without a task CPU figure, busyCores is the whole-process one', async () => {
  // An executor whose platform could not say (taskCpuMs null): the figure of before stays.
  const result: ExecutorRunResult = {
    checksums: ['1'],
    times: { dispatchedAt: Float64Array.of(0), startedAt: Float64Array.of(0), endedAt: Float64Array.of(0), receivedAt: Float64Array.of(0), runMs: Float64Array.of(1) },
    startedAt: 1000,
    endedAt: 1100,
    childCpuUserUs: 60_000,
    childCpuSystemUs: 20_000,
    childPeakRssBytes: 0,
    taskCpuMs: null,
    bytesToWorkers: 0,
    bytesFromWorkers: 0
  }
  const ex: Executor = { kind: 'process', workers: 1, serialization: 'json', startupMs: 0, start: async () => {}, run: async () => result, canary: async () => [], close: async () => {}, destroy: async () => {} }
  const r = ok(await measureRun(ex, plan('fibonacci', { n: 1 }, 1), { taskTimeoutMs: 1000 }))
  assert.equal(r.taskCpuMs, null)
  assert.equal(r.busyCores, (r.cpuUserMs + r.cpuSystemMs) / 100)
  assert.ok(r.busyCores >= 0.8)
})
