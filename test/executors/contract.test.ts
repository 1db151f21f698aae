import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { describe, test, type TestContext } from 'node:test'
import { createExecutor, EXECUTOR_KINDS, type Executor, type ExecutorKind, type ExecutorOptions, type RunPlan } from '../../src/executors/index.js'
import { measureRun, type RunOutcome } from '../../src/measure/measure-run.js'
import { resolveParams } from '../../src/workloads/index.js'

function plan (workload: string, params: Record<string, unknown>, tasks: number): RunPlan {
  const r = resolveParams(workload, params)
  if (!r.ok) throw new Error(r.errors.map(e => e.message).join('; '))
  return { workload, params: r.params, tasks }
}

async function started (t: TestContext, kind: ExecutorKind, workers = 2, opts: ExecutorOptions = {}): Promise<Executor> {
  const ex = createExecutor(kind, workers, opts)
  t.after(async () => { await ex.destroy() })
  await ex.start()
  return ex
}

function ok (r: RunOutcome): asserts r is Extract<RunOutcome, { ok: true }> {
  if (!r.ok) assert.fail(`run failed: ${r.code}: ${r.error}`)
}

function failed (r: RunOutcome, code: string): string {
  assert.equal(r.ok, false, 'the run should have failed')
  if (r.ok) return ''
  assert.equal(r.code, code, r.error)
  return r.error
}

const fib = plan('fibonacci', { n: 20, repeat: 2 }, 12)
const expected = { checksum: '' }

describe('executor contract', () => {
  test('serialized establishes the reference checksum', async (t) => {
    const ex = await started(t, 'serialized')
    const r = await measureRun(ex, fib, { taskTimeoutMs: 10_000 })
    ok(r)
    expected.checksum = r.checksum
    assert.match(r.checksum, /^[0-9a-f]{16}$/)
  })

  for (const kind of EXECUTOR_KINDS) {
    describe(kind, () => {
      test('results equal the serialized ones; progress arrives once per task; metrics are sane', async (t) => {
        const ex = await started(t, kind)
        assert.ok(ex.startupMs > 0)
        const progress: number[] = []
        const r = await measureRun(ex, fib, { taskTimeoutMs: 10_000, onTaskDone: (done, total) => { assert.equal(total, 12); progress.push(done) } })
        ok(r)
        assert.equal(r.checksum, expected.checksum)
        assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1))
        assert.ok(r.wallMs > 0 && r.cpuUserMs > 0 && r.busyCores > 0)
        assert.equal(r.coldWallMs, r.startupMs + r.wallMs)
        assert.equal(r.timings.length, 36)
        for (let i = 0; i < 12; i++) assert.ok((r.timings[i * 3 + 1] as number) > 0, `task ${i} has a run time`)
        assert.ok(r.bytesToWorkers > 0 && r.bytesFromWorkers > 0)
        assert.ok(r.peakRssBytes > 10 * 2 ** 20)
      })

      test('the canary is timed on every thread that runs tasks, one reading each, and measureRun records the slowest before and after', async (t) => {
        const ex = await started(t, kind, 3)
        const readings = await ex.canary()
        assert.equal(readings.length, kind === 'serialized' || kind === 'async' ? 1 : 3)
        for (const ms of readings) assert.ok(ms > 0.01 && ms < 1000, `a canary reading of ${ms} ms`)
        const m = await measureRun(ex, fib, { taskTimeoutMs: 10_000 })
        ok(m)
        const d = m.disturbance
        assert.ok(d !== undefined && d.canaryBeforeMs !== null && d.canaryAfterMs !== null && d.canaryDrift !== null)
        assert.ok(Math.abs(d.canaryDrift - (d.canaryAfterMs / d.canaryBeforeMs - 1)) < 1e-9)
      })

      test('cancel mid-run stops promptly and leaves the executor usable', async (t) => {
        const ex = await started(t, kind)
        const ac = new AbortController()
        const t0 = Date.now()
        setTimeout(() => { ac.abort() }, 150)
        failed(await measureRun(ex, plan('sleep', { ms: 20_000 }, 4), { taskTimeoutMs: 60_000, signal: ac.signal }), 'COREBENCH_ERR_CANCELLED')
        assert.ok(Date.now() - t0 < 5000, `cancel took ${Date.now() - t0} ms`)
        ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
      })

      test('a runaway CPU task is killed at the task timeout and the pool is rebuilt', async (t) => {
        const ex = await started(t, kind)
        const t0 = Date.now()
        const msg = failed(await measureRun(ex, plan('fibonacci', { n: 40, repeat: 20 }, 2), { taskTimeoutMs: 300 }), 'COREBENCH_ERR_TASK_TIMEOUT')
        assert.match(msg, /task \d ran longer than the task timeout of 300 ms/)
        assert.ok(Date.now() - t0 < 8000, `timeout took ${Date.now() - t0} ms`)
        const again = await measureRun(ex, fib, { taskTimeoutMs: 10_000 })
        ok(again)
        assert.equal(again.checksum, expected.checksum)
      })

      test('a task that throws fails the run with the task named', async (t) => {
        const ex = await started(t, kind)
        // Nothing listens on port 1: fetch rejects inside the workload.
        const p = { ...plan('http-get', { delayMs: 0 }, 3), httpBase: 'http://127.0.0.1:1/' }
        const msg = failed(await measureRun(ex, p, { taskTimeoutMs: 10_000 }), 'COREBENCH_ERR_TASK_FAILED')
        assert.match(msg, /^task \d \(http-get\) threw/)
        ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
      })

      test('a worker out of memory fails the run, not the caller', async (t) => {
        const ex = await started(t, kind, 2, { maxOldGenerationSizeMb: 24 })
        const msg = failed(await measureRun(ex, plan('json-roundtrip', { items: 200_000, rounds: 3 }, 2), { taskTimeoutMs: 60_000 }), 'COREBENCH_ERR_WORKER_EXITED')
        assert.match(msg, /memory|exited|killed/i)
        ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
      })

      test('destroy() leaves no worker thread, child process or handle behind', async () => {
        const threads = await settled(osThreads)
        const handles = await settled(countHandles)
        const ex = createExecutor(kind, 2)
        await ex.start()
        ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
        if (kind !== 'process') assert.ok(osThreads() > threads, 'the pool runs on extra OS threads')
        await ex.destroy()
        assert.equal(await settled(osThreads), threads)
        assert.deepEqual(await settled(countHandles), handles)
        assert.deepEqual(childPids(), [])
      })
    })
  }
})

describe('process executor faults', () => {
  test('a child killed from outside mid-run fails the run with the signal named', async (t) => {
    const ex = await started(t, 'process')
    const run = measureRun(ex, plan('sleep', { ms: 5_000 }, 2), { taskTimeoutMs: 60_000 })
    await new Promise(resolve => setTimeout(resolve, 200))
    const [pid] = childPids()
    assert.ok(pid !== undefined)
    process.kill(pid, 'SIGKILL')
    assert.match(failed(await run, 'COREBENCH_ERR_WORKER_EXITED'), new RegExp(`child process ${pid} was killed by SIGKILL while running task \\d`))
    ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
  })

  test('a child killed between runs never hangs the next run: it fails naming the child, or runs on a new pool; the one after runs', { timeout: 120_000 }, async (t) => {
    const ex = await started(t, 'process')
    ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
    // At once, before its exit is seen: the next run's canary asks a child that is gone.
    const [pid] = childPids()
    assert.ok(pid !== undefined)
    process.kill(pid, 'SIGKILL')
    const next = await measureRun(ex, fib, { taskTimeoutMs: 10_000 })
    if (!next.ok) assert.match(failed(next, 'COREBENCH_ERR_WORKER_EXITED'), new RegExp(`child process ${pid} was killed by SIGKILL`))
    ok(await measureRun(ex, fib, { taskTimeoutMs: 10_000 }))
  })

  test('close() drains and every child exits', async () => {
    const ex = createExecutor('process', 2)
    await ex.start()
    assert.equal(childPids().length, 2)
    await ex.close()
    assert.deepEqual(childPids(), [])
  })
})

describe('shared-counter', () => {
  // 8 tasks of 5M increments on 2 threads overlap for tens of milliseconds: the race shows every time.
  const race = (atomic: boolean): RunPlan => plan('shared-counter', { n: 5_000_000, atomic }, 8)

  test('threads sharing memory lose updates without atomics', async (t) => {
    const r = await measureRun(await started(t, 'threaded'), race(false), { taskTimeoutMs: 60_000 })
    ok(r)
    assert.equal(r.shared?.expected, 40_000_000)
    assert.equal(r.shared?.memorySpaces, 1)
    assert.ok((r.shared?.lost ?? 0) > 0, `expected lost updates, got ${JSON.stringify(r.shared)}`)
  })

  test('Atomics.add loses none', async (t) => {
    const r = await measureRun(await started(t, 'threaded'), race(true), { taskTimeoutMs: 60_000 })
    ok(r)
    assert.deepEqual(r.shared, { expected: 40_000_000, arrived: 40_000_000, lost: 0, memorySpaces: 1 })
  })

  test('child processes each count in their own memory', async (t) => {
    const r = await measureRun(await started(t, 'process'), race(false), { taskTimeoutMs: 60_000 })
    ok(r)
    assert.deepEqual(r.shared, { expected: 40_000_000, arrived: 40_000_000, lost: 0, memorySpaces: 2 })
  })
})

/** Worker threads are OS threads of this process (piscina unrefs its workers, so handles miss them). */
function osThreads (): number {
  return readdirSync('/proc/self/task').length
}

/** A reading once it has stopped changing: handles and threads close asynchronously after exit. */
async function settled<T> (read: () => T): Promise<T> {
  let last = JSON.stringify(read())
  for (let i = 0; i < 40; i++) {
    await new Promise(resolve => setTimeout(resolve, 25))
    const next = JSON.stringify(read())
    if (next === last && i >= 3) break
    last = next
  }
  return JSON.parse(last) as T
}

function countHandles (): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) if (r !== 'Timeout' && r !== 'TTYWrap') counts[r] = (counts[r] ?? 0) + 1
  return counts
}

function childPids (): number[] {
  try {
    // ps lists itself as our child too; keep only node processes (Node 24 names its main thread, and so
    // its comm, MainThread).
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n').map(l => l.trim().split(/\s+/)).filter(([, comm]) => comm === 'node' || comm === 'MainThread').map(([pid]) => Number(pid))
  } catch {
    return [] // ps exits 1 when there is no child
  }
}
