// The Python harness must compute exactly what the Node workloads compute: per task (every ported
// workload, several parameter sets, several task indexes) and per run (the run checksum of a real
// fork under every executor equals what measureRun would report for the same plan in Node).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { EXECUTOR_KINDS } from '../../src/executors/types.js'
import { runChecksum, type RunOutcome } from '../../src/measure/measure-run.js'
import { HARNESS_ARGS, harnessEnv, PYTHON_DIR, PYTHON_WORKLOADS, runPythonFork } from '../../src/runtimes/python/index.js'
import { getWorkload, resolveParams, workloadIds } from '../../src/workloads/index.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-parity-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

/** Node workloads the harness deliberately leaves out (http-get needs the server's loopback endpoint). */
const NODE_ONLY = ['http-get']

const CASES: Record<string, Array<Record<string, unknown>>> = {
  fibonacci: [{ n: 1, repeat: 1 }, { n: 10, repeat: 3 }, { n: 20, repeat: 2 }],
  'sum-range': [{ n: 1 }, { n: 2 }, { n: 123_457 }],
  primes: [{ n: 2 }, { n: 3 }, { n: 10 }, { n: 11 }, { n: 100_003 }],
  matmul: [{ n: 1 }, { n: 5 }, { n: 37 }],
  hash: [{ bytes: 1, rounds: 1 }, { bytes: 5, rounds: 2 }, { bytes: 4099, rounds: 3 }, { bytes: 300_001, rounds: 2 }],
  'text-analysis': [{ documents: 1, words: 1 }, { documents: 20, words: 37 }, { documents: 150, words: 200 }],
  'json-roundtrip': [{ items: 1, rounds: 1 }, { items: 700, rounds: 2 }],
  'sqrt-array': [{ n: 1 }, { n: 2 }, { n: 1_000_003 }],
  sleep: [{ ms: 0 }, { ms: 7 }],
  'file-io': [{ bytes: 1 }, { bytes: 4101 }, { bytes: 1_048_576 + 7 }],
  'shared-counter': [{ n: 1, atomic: false }, { n: 1000, atomic: true }]
}
const INDEXES = [0, 3]

function resolved (workload: string, params: Record<string, unknown>): Record<string, unknown> {
  const r = resolveParams(workload, params)
  if (!r.ok) throw new Error(r.errors.map(e => e.message).join('; '))
  return r.params
}

async function nodeChecksum (workload: string, params: Record<string, unknown>, index: number): Promise<string> {
  const out = await getWorkload(workload)!.run(params as never, { index, tmpDir: tmp, shared: new Int32Array(new SharedArrayBuffer(4)) })
  return out.checksum
}

/** Runs the harness once with `args`, feeding `input`; resolves with its stdout. */
async function harness (args: string[], input = ''): Promise<string> {
  const child = spawn('python3', [...HARNESS_ARGS, ...args], { cwd: PYTHON_DIR, env: harnessEnv() })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  child.stdin.end(input)
  const code = await new Promise(resolve => child.on('close', resolve))
  assert.equal(code, 0, `harness ${args.join(' ')} failed: ${stderr}`)
  return stdout
}

function ok (r: RunOutcome | undefined): asserts r is Extract<RunOutcome, { ok: true }> {
  assert.ok(r !== undefined, 'no outcome')
  if (!r.ok) assert.fail(`run failed: ${r.code}: ${r.error}`)
}

describe('python parity', () => {
  test('the harness implements exactly PYTHON_WORKLOADS, all of them Node workloads', async () => {
    assert.deepEqual(JSON.parse(await harness(['--list-workloads'])), [...PYTHON_WORKLOADS])
    for (const id of PYTHON_WORKLOADS) assert.ok(workloadIds.includes(id), `${id} is not a Node workload`)
    assert.deepEqual(workloadIds.filter(id => !(PYTHON_WORKLOADS as readonly string[]).includes(id)), NODE_ONLY,
      'a Node workload is neither ported to python/corebench_harness/workloads.py nor listed as Node-only')
    assert.deepEqual(Object.keys(CASES).sort(), [...PYTHON_WORKLOADS].sort(), 'every ported workload has parity cases')
  })

  test('every task checksum equals the Node workload\'s, in both the blocking and the asyncio variant', async () => {
    const cases = Object.entries(CASES).flatMap(([workload, sets]) => sets.flatMap(p => INDEXES.flatMap(index =>
      [false, true].map(async => ({ workload, params: resolved(workload, p), index, async, tmpDir: tmp })))))
    const input = cases.map(c => JSON.stringify(c)).join('\n') + '\n'
    const answers = (await harness(['--checksums'], input)).trim().split('\n').map(l => JSON.parse(l) as { checksum?: string, error?: string })
    assert.equal(answers.length, cases.length)
    for (const [i, c] of cases.entries()) {
      const expected = await nodeChecksum(c.workload, c.params, c.index)
      const label = `${c.workload} ${JSON.stringify(c.params)} task ${c.index}${c.async ? ' (asyncio)' : ''}`
      assert.equal(answers[i]?.error, undefined, `${label}: python raised ${answers[i]?.error}`)
      assert.equal(answers[i]?.checksum, expected, label)
    }
  })

  for (const executor of EXECUTOR_KINDS) {
    test(`a ${executor} fork's run checksum equals the Node run checksum`, async () => {
      const params = resolved('fibonacci', { n: 18, repeat: 2 })
      const expected = runChecksum(await Promise.all(Array.from({ length: 5 }, async (_, i) => await nodeChecksum('fibonacci', params, i))))
      const outcomes = await runPythonFork({ workload: 'fibonacci', params, tasks: 5, executor, workers: 2, warmup: 1 }, { taskTimeoutMs: 20_000 })
      assert.equal(outcomes.length, 2)
      for (const r of outcomes) {
        ok(r)
        assert.equal(r.checksum, expected)
      }
    })
  }

  test('other workloads agree run by run under process and threaded', async () => {
    const plans: Array<[string, Record<string, unknown>]> = [
      ['text-analysis', { documents: 30, words: 50 }], ['matmul', { n: 12 }], ['hash', { bytes: 10_003, rounds: 2 }],
      ['sqrt-array', { n: 5001 }], ['file-io', { bytes: 9_000 }]
    ]
    for (const [workload, p] of plans) {
      const params = resolved(workload, p)
      const expected = runChecksum(await Promise.all(Array.from({ length: 4 }, async (_, i) => await nodeChecksum(workload, params, i))))
      for (const executor of ['threaded', 'process'] as const) {
        const [r] = await runPythonFork({ workload, params, tasks: 4, executor, workers: 2, warmup: 0, tmpDir: tmp }, { taskTimeoutMs: 20_000 })
        ok(r)
        assert.equal(r.checksum, expected, `${workload} under ${executor}`)
      }
    }
  })

  test('shared-counter: one memory for threads, one per child process, expected/arrived as measureRun reports them', async () => {
    const atomic = resolved('shared-counter', { n: 20_000, atomic: true })
    const [threads] = await runPythonFork({ workload: 'shared-counter', params: atomic, tasks: 4, executor: 'threaded', workers: 2, warmup: 0 }, { taskTimeoutMs: 20_000 })
    ok(threads)
    assert.deepEqual(threads.shared, { expected: 80_000, arrived: 80_000, lost: 0, memorySpaces: 1 })
    const racy = resolved('shared-counter', { n: 20_000, atomic: false })
    const [procs] = await runPythonFork({ workload: 'shared-counter', params: racy, tasks: 5, executor: 'process', workers: 2, warmup: 1 }, { taskTimeoutMs: 20_000 }).then(o => o.slice(1))
    ok(procs)
    // Every child counts in its own memory, so nothing is lost, and the warm-up's counts are gone.
    assert.deepEqual(procs.shared, { expected: 100_000, arrived: 100_000, lost: 0, memorySpaces: 2 })
    const [racyThreads] = await runPythonFork({ workload: 'shared-counter', params: racy, tasks: 4, executor: 'threaded', workers: 4, warmup: 0 }, { taskTimeoutMs: 20_000 })
    ok(racyThreads)
    const s = racyThreads.shared!
    assert.equal(s.expected, 80_000)
    assert.ok(s.arrived > 0 && s.arrived <= s.expected && s.lost === s.expected - s.arrived && s.memorySpaces === 1, JSON.stringify(s))
  })
})
