// run-tests: alone (process speedup > 1.2 needs both cores)
// The Node adapter against real harness processes: every executor's timings, the GIL's shape, and
// every way a fork can go wrong (garbage, crash, silence, timeouts, cancel, a dead pool child, a
// dead parent, no interpreter), each ending as a RunFailure with the whole process group gone.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { EXECUTOR_KINDS } from '../../src/executors/types.js'
import type { RunOutcome } from '../../src/measure/measure-run.js'
import { discoverPython, HARNESS_ARGS, harnessEnv, PYTHON_DIR, runPythonFork, type PythonForkControl, type PythonForkPlan } from '../../src/runtimes/python/index.js'
import { resolveParams } from '../../src/workloads/index.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-pyharness-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

function plan (workload: string, params: Record<string, unknown>, rest: Partial<PythonForkPlan> = {}): PythonForkPlan {
  const r = resolveParams(workload, params)
  if (!r.ok) throw new Error(r.errors.map(e => e.message).join('; '))
  return { workload, params: r.params, tasks: 4, executor: 'serialized', workers: 2, warmup: 0, ...rest }
}

type Metrics = Extract<RunOutcome, { ok: true }>

function ok (r: RunOutcome | undefined): asserts r is Metrics {
  assert.ok(r !== undefined, 'no outcome')
  if (!r.ok) assert.fail(`run failed: ${r.code}: ${r.error}`)
}

function failed (outcomes: RunOutcome[], code: string): string {
  const last = outcomes.at(-1)
  assert.ok(last !== undefined && !last.ok, `expected a failed last outcome, got ${JSON.stringify(last)}`)
  assert.equal(last.code, code, last.error)
  return last.error
}

/** Live (non-zombie) members of a process group, from /proc: PID 1 here may never reap zombies. */
function groupMembers (pgid: number): number[] {
  const live: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === pgid && state !== 'Z') live.push(Number(name))
    } catch { /* exited while we looked */ }
  }
  return live
}

async function assertGroupGone (pgid: number | undefined): Promise<void> {
  assert.ok(pgid !== undefined, 'the harness was never spawned')
  const deadline = Date.now() + 3000
  while (groupMembers(pgid).length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  assert.deepEqual(groupMembers(pgid), [], `process group ${pgid} still has live members`)
}

/** runPythonFork that remembers the harness pid (= its process group) and the pool's pids. */
async function fork (p: PythonForkPlan, control: PythonForkControl): Promise<{ outcomes: RunOutcome[], pgid?: number, pids: number[], ms: number }> {
  const seen: { pgid?: number, pids: number[] } = { pids: [] }
  const t0 = Date.now()
  const outcomes = await runPythonFork(p, {
    ...control,
    onSpawn: pid => { seen.pgid = pid; control.onSpawn?.(pid) },
    onPool: pool => { seen.pids = pool.pids; control.onPool?.(pool) }
  })
  return { outcomes, ...seen, ms: Date.now() - t0 }
}

/** A fake interpreter: a shell script that ignores its arguments and prints `body`'s lines. */
function fake (name: string, body: string): string {
  const path = join(tmp, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}
const HELLO = `echo '{"type":"hello","protocol":2,"python":"3.11.0","implementation":"CPython","gil":true,"pid":'$$',"workloads":["fibonacci"]}'`
const POOL = `echo '{"type":"pool","startupMs":1.5,"pids":['$$'],"startMethod":null,"clockStepMs":0.0001}'`
const fib = plan('fibonacci', { n: 15, repeat: 1 })

describe('python harness: executors', () => {
  for (const executor of EXECUTOR_KINDS) {
    test(`${executor}: warm-up and measured runs with well-formed timings and progress`, async () => {
      const progress: string[] = []
      const { outcomes, pgid, pids } = await fork({ ...fib, tasks: 6, executor, warmup: 1 }, {
        taskTimeoutMs: 20_000, onTaskDone: (done, total, warmup) => { progress.push(`${warmup ? 'w' : 'm'}${done}/${total}`) }
      })
      assert.equal(outcomes.length, 2)
      for (const r of outcomes) {
        ok(r)
        assert.equal(r.tasks, 6)
        assert.equal(r.timings.length, 18)
        for (let i = 0; i < 18; i++) assert.ok(Number.isFinite(r.timings[i]) && (r.timings[i] as number) >= 0, `timing ${i} = ${r.timings[i]}`)
        for (let i = 0; i < 6; i++) assert.ok((r.timings[i * 3 + 1] as number) > 0, `task ${i} has a run time`)
        assert.ok(r.wallMs > 0 && r.startedAt.getTime() <= r.finishedAt.getTime())
        assert.equal(r.coldWallMs, r.startupMs + r.wallMs)
        assert.ok(r.startupMs >= 0 && r.cpuUserMs + r.cpuSystemMs > 0 && r.busyCores > 0)
        assert.equal(r.loopDelayMaxMs, 0)
        assert.ok(r.peakRssBytes > 5 * 2 ** 20)
        assert.equal(r.serialization, executor === 'process' ? 'pickle' : 'none')
        if (executor === 'process') assert.ok(r.bytesToWorkers > 0 && r.bytesFromWorkers > 0)
      }
      // Tasks done so far, whenever it grows: it may skip numbers, never repeats or goes back within a run.
      for (const phase of ['w', 'm']) {
        const done = progress.filter(p => p.startsWith(phase)).map(p => Number(p.slice(1).split('/')[0]))
        assert.equal(done.at(-1), 6, progress.join(' '))
        assert.ok(done.every((d, i) => i === 0 || d > (done[i - 1] as number)), progress.join(' '))
      }
      assert.ok(progress.indexOf('w6/6') < progress.findIndex(p => p.startsWith('m')), progress.join(' '))
      assert.equal(pids.length, executor === 'process' ? 2 : 1)
      assert.equal(pids.includes(pgid as number), executor !== 'process')
      await assertGroupGone(pgid)
    })
  }

  test('waits overlap under async and threads, not serialized (the seed\'s simulated API calls)', async () => {
    const sleep = plan('sleep', { ms: 150 })
    const wall = async (executor: PythonForkPlan['executor']): Promise<number> => {
      const { outcomes: [r] } = await fork({ ...sleep, executor, workers: 4 }, { taskTimeoutMs: 20_000 })
      ok(r)
      return r.wallMs
    }
    const serial = await wall('serialized')
    assert.ok(serial >= 600, `serialized ${serial} ms`)
    for (const executor of ['async', 'threaded'] as const) {
      const w = await wall(executor)
      assert.ok(w < serial * 0.6, `${executor} ${w} ms vs serialized ${serial} ms`)
    }
  })

  test('the GIL: CPU work gains nothing from threads and gains from processes (best of 3, loose)', async (t) => {
    const cpu = plan('fibonacci', { n: 25, repeat: 4 }, { tasks: 6, workers: 2 })
    const best: Record<string, number> = { serialized: Infinity, threaded: Infinity, process: Infinity }
    const speedup = (executor: string): number => (best.serialized as number) / (best[executor] as number)
    for (let attempt = 0; attempt < 3 && !(speedup('process') > 1.2); attempt++) {
      for (const executor of ['serialized', 'threaded', 'process'] as const) {
        const { outcomes: [r] } = await fork({ ...cpu, executor }, { taskTimeoutMs: 30_000 })
        ok(r)
        best[executor] = Math.min(best[executor] as number, r.wallMs)
      }
    }
    assert.ok(speedup('threaded') < 1.5, `threaded speedup ${speedup('threaded').toFixed(2)} despite the GIL`)
    // Two pool children need two free cores; on a host that other work keeps busy they cannot show it.
    const load = loadavg()[0] as number
    if (!(speedup('process') > 1.2) && load >= availableParallelism()) {
      t.skip(`process speedup ${speedup('process').toFixed(2)}, but the host is busy (load ${load.toFixed(1)} on ${availableParallelism()} cores)`)
      return
    }
    assert.ok(speedup('process') > 1.2, `process speedup ${speedup('process').toFixed(2)}`)
  })
})

describe('python harness: failures', () => {
  test('garbage on stdout is a protocol failure and the group is killed', async () => {
    const { outcomes, pgid, ms } = await fork({ ...fib, command: fake('garbage.sh', 'sleep 30 &\necho "this is not json"\nwait') }, { taskTimeoutMs: 5000 })
    assert.match(failed(outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), /not JSON: "this is not json"/)
    assert.ok(ms < 3000, `took ${ms} ms`)
    await assertGroupGone(pgid)
  })

  test('tasks lines with the wrong number of entries, out of order, or too few for their run are protocol failures', async () => {
    const tasks = (from: number, n: number, times = n): string => `echo '{"type":"tasks","run":0,"from":${from},"checksums":${JSON.stringify(Array(n).fill('1'))},"times":{"dispatchedAt":${JSON.stringify(Array(times).fill(1))},"startedAt":${JSON.stringify(Array(n).fill(1))},"endedAt":${JSON.stringify(Array(n).fill(2))},"receivedAt":${JSON.stringify(Array(n).fill(2))},"runMs":${JSON.stringify(Array(n).fill(1))}}}'`
    const run = `echo '{"type":"run","run":0,"warmup":false,"ok":true,"tasks":4,"startedAt":1,"endedAt":2,"startupMs":1,"cpuUserMs":1,"cpuSystemMs":0,"peakRssBytes":1,"bytesToWorkers":0,"bytesFromWorkers":0,"serialization":"none"}'`
    const cases: Array<[string, string, RegExp]> = [
      ['lengths', `${tasks(0, 1, 4)}\n${run}`, /times.dispatchedAt has 4 entries for 1 checksums/],
      ['order', `${tasks(0, 2)}\n${tasks(3, 1)}\n${run}`, /tasks 3..3 of run 0 where tasks from 2 of run 0 \(of 4\) were due/],
      ['missing', `${tasks(0, 2)}\n${run}`, /after tasks lines for 2 of its 4 tasks/]
    ]
    for (const [name, lines, reason] of cases) {
      const { outcomes, pgid } = await fork({ ...fib, command: fake(`${name}.sh`, `${HELLO}\n${POOL}\n${lines}\nsleep 30`) }, { taskTimeoutMs: 5000 })
      assert.match(failed(outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), reason)
      await assertGroupGone(pgid)
    }
    const good = await fork({ ...fib, command: fake('good.sh', `${HELLO}\n${POOL}\n${tasks(0, 3)}\n${tasks(3, 1)}\n${run}`) }, { taskTimeoutMs: 5000 })
    ok(good.outcomes[0])
    assert.equal(good.outcomes[0].timings.length, 12)
  })

  test('a line longer than the limit is a protocol failure, read in linear time', async () => {
    // 10 MB without a newline: the reader gives up at its 8 MiB limit instead of holding it all.
    const { outcomes, pgid, ms } = await fork({ ...fib, command: fake('long.sh', `${HELLO}\nhead -c 10485760 /dev/zero | tr '\\0' x\nsleep 30`) }, { taskTimeoutMs: 5000 })
    assert.match(failed(outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), /a line longer than 8388608 characters/)
    assert.ok(ms < 3000, `took ${ms} ms`)
    await assertGroupGone(pgid)
  })

  test('a line before hello, and a crash without a result, are failures that say what happened', async () => {
    const early = await fork({ ...fib, command: fake('early.sh', `${POOL}\nsleep 30`) }, { taskTimeoutMs: 5000 })
    assert.match(failed(early.outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), /a pool line where its hello line should come first/)
    const crash = await fork({ ...fib, command: fake('crash.sh', `${HELLO}\necho 'Traceback: boom' >&2\nexit 3`) }, { taskTimeoutMs: 5000 })
    assert.match(failed(crash.outcomes, 'COREBENCH_ERR_WORKER_EXITED'), /exited with code 3 before its pool line; its stderr ends with: Traceback: boom/)
    const quiet = await fork({ ...fib, command: fake('exit0.sh', `${HELLO}\n${POOL}`) }, { taskTimeoutMs: 5000 })
    assert.match(failed(quiet.outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), /exited with code 0 before run 0/)
    for (const f of [early, crash, quiet]) await assertGroupGone(f.pgid)
  })

  test('a harness that goes silent is killed after the task timeout plus the grace; one that never says hello after the start-up timeout', async () => {
    const silent = await fork({ ...fib, command: fake('silent.sh', `${HELLO}\n${POOL}\nsleep 60 &\nwait`) }, { taskTimeoutMs: 300 })
    assert.match(failed(silent.outcomes, 'COREBENCH_ERR_TASK_TIMEOUT'), /sent nothing for \d+ ms .* process group .* was SIGKILLed/)
    assert.ok(silent.ms >= 2300 && silent.ms < 6000, `took ${silent.ms} ms`)
    const mute = await fork({ ...fib, command: fake('mute.sh', 'sleep 60') }, { taskTimeoutMs: 5000, startupTimeoutMs: 400 })
    assert.match(failed(mute.outcomes, 'COREBENCH_ERR_HARNESS_PROTOCOL'), /no hello line/)
    for (const f of [silent, mute]) await assertGroupGone(f.pgid)
  })

  for (const executor of ['serialized', 'threaded', 'process'] as const) {
    test(`${executor}: a task past the task timeout kills the group`, async () => {
      const runaway = executor === 'serialized' ? plan('fibonacci', { n: 40, repeat: 20 }) : plan('sleep', { ms: 20_000 })
      const { outcomes, pgid, ms } = await fork({ ...runaway, executor, tasks: 3 }, { taskTimeoutMs: 400 })
      assert.match(failed(outcomes, 'COREBENCH_ERR_TASK_TIMEOUT'), /task \d ran longer than the task timeout of 400 ms; the python harness's process group/)
      assert.ok(ms < 6000, `took ${ms} ms`)
      await assertGroupGone(pgid)
    })
  }

  test('cancel through the AbortSignal kills the group, pool children included', async () => {
    const ac = new AbortController()
    const { outcomes, pgid, pids, ms } = await fork({ ...plan('sleep', { ms: 20_000 }), executor: 'process', warmup: 1 }, {
      taskTimeoutMs: 60_000, signal: ac.signal, onPool: () => { setTimeout(() => { ac.abort() }, 200) }
    })
    assert.equal(outcomes.length, 1)
    failed(outcomes, 'COREBENCH_ERR_CANCELLED')
    assert.ok(ms < 8000, `took ${ms} ms`)
    assert.equal(pids.length, 2)
    await assertGroupGone(pgid)
    const [pre] = await runPythonFork(fib, { taskTimeoutMs: 1000, signal: AbortSignal.abort() })
    assert.equal(pre?.ok === false && pre.code, 'COREBENCH_ERR_CANCELLED')
  })

  test('a pool child that dies fails the run and names the task it took', async () => {
    const { outcomes, pgid } = await fork({ ...plan('sleep', { ms: 20_000 }), executor: 'process', tasks: 2 }, {
      taskTimeoutMs: 60_000, onPool: pool => { setTimeout(() => { process.kill(pool.pids[0] as number, 'SIGKILL') }, 300) }
    })
    assert.match(failed(outcomes, 'COREBENCH_ERR_WORKER_EXITED'), /pool child process \d+ was killed by SIGKILL while running task \d/)
    await assertGroupGone(pgid)
  })

  test('a task that raises fails its run with the Python exception', async () => {
    // No file may grow past 0 blocks, not even root's: CPython ignores SIGXFSZ, so the write raises.
    const command = fake('python-no-files.sh', 'ulimit -f 0\nexec python3 "$@"')
    const { outcomes, pgid } = await fork({ ...plan('file-io', { bytes: 10 }), executor: 'threaded', command }, { taskTimeoutMs: 10_000 })
    const last = outcomes.at(-1)
    assert.match(failed(outcomes, 'COREBENCH_ERR_TASK_FAILED'), /task \d \(file-io\) threw OSError: \[Errno 27\] File too large/)
    assert.equal(typeof (last as { task?: number }).task, 'number')
    await assertGroupGone(pgid)
  })

  test('when its stdin closes (Node died), the harness kills its pool and itself', async () => {
    const child = spawn('python3', HARNESS_ARGS, {
      cwd: PYTHON_DIR, detached: true, stdio: ['pipe', 'pipe', 'ignore'], env: harnessEnv()
    })
    child.stdin.write(JSON.stringify({ ...plan('sleep', { ms: 30_000 }), executor: 'process', tmpDir: tmp }) + '\n')
    let out = ''
    await new Promise<void>(resolve => {
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('"type":"pool"')) resolve() })
      child.on('exit', () => { resolve() })
    })
    assert.ok(groupMembers(child.pid as number).length >= 3, 'harness and two pool children are running')
    child.stdin.end()
    await assertGroupGone(child.pid)
  })

  test('the harness refuses a plan it cannot run', async () => {
    const child = spawn('python3', HARNESS_ARGS, { cwd: PYTHON_DIR, stdio: ['pipe', 'pipe', 'ignore'], env: harnessEnv() })
    child.stdin.end(JSON.stringify({ ...plan('fibonacci', {}), params: { n: 'thirty', repeat: 1 }, executor: 'serialized', tmpDir: tmp }) + '\n')
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    assert.equal(await new Promise(resolve => child.on('close', resolve)), 2)
    const last = JSON.parse(out.trim().split('\n').at(-1) as string)
    assert.equal(last.code, 'COREBENCH_ERR_HARNESS_PROTOCOL')
    assert.match(last.error, /params.n must be a non-negative integer, got 'thirty'/)
  })

  test('a plan Node cannot hand to Python never spawns anything', async () => {
    const spawned: number[] = []
    const http = await runPythonFork({ ...fib, workload: 'http-get', params: { delayMs: 1 } }, { taskTimeoutMs: 1000, onSpawn: pid => spawned.push(pid) })
    assert.match(failed(http, 'COREBENCH_ERR_EXECUTOR_STATE'), /does not implement workload http-get/)
    const bad = await runPythonFork({ ...fib, params: { n: 99, repeat: 1 } }, { taskTimeoutMs: 1000, onSpawn: pid => spawned.push(pid) })
    assert.match(failed(bad, 'COREBENCH_ERR_EXECUTOR_STATE'), /params.n: 99 is above the maximum 40/)
    assert.deepEqual(spawned, [])
  })
})

describe('python harness: discovery', () => {
  test('finds this host\'s python3 with its GIL status', async () => {
    const found = await discoverPython({ alsoTry: [] })
    const py = found.interpreters[0]
    assert.ok(py !== undefined, JSON.stringify(found.unavailable))
    assert.equal(py.command, 'python3')
    assert.equal(py.runtime, py.gil ? 'python' : 'python-nogil')
    assert.match(py.version, /^3\.\d+\.\d+/)
    assert.equal(py.implementation, 'CPython')
  })

  test('a missing interpreter is unavailable with a reason, for discovery and for a fork', async () => {
    const missing = join(tmp, 'no-such-python3')
    const found = await discoverPython({ command: missing, alsoTry: ['python3.99t'] })
    assert.deepEqual(found.interpreters, [])
    assert.deepEqual(found.unavailable.map(u => u.command), [missing, 'python3.99t'])
    for (const u of found.unavailable) assert.match(u.reason, /not found/)
    const notPython = await discoverPython({ command: fake('not-python.sh', 'echo hello'), alsoTry: [] })
    assert.match(notPython.unavailable[0]?.reason ?? '', /does not look like a Python interpreter/)
    const outcomes = await runPythonFork({ ...fib, command: missing }, { taskTimeoutMs: 1000 })
    assert.match(failed(outcomes, 'COREBENCH_ERR_RUNTIME_UNAVAILABLE'), /could not start the python interpreter .*no-such-python3.*: not found/)
  })
})
