// Issue 15 §2: what a killed task leaves behind is cleaned up. Files: every pool generation writes
// into a scratch directory of its own that goes when its workers go, however they went, and the
// next coordinator sweeps what a dead one left. Processes: children die within about a second of
// their parent even in the middle of synchronous work, and a runner kills leftovers of a dead
// corebench before it measures.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createExecutor } from '../../src/executors/index.js'
import { findLeftovers, PARENT_ENV, reapLeftovers, SCOPE_ENV } from '../../src/executors/leftovers.js'
import { EXECUTOR_KINDS } from '../../src/executors/types.js'
import { measureRun } from '../../src/measure/measure-run.js'
import { HARNESS_ARGS, harnessEnv, PYTHON_DIR, runPythonFork } from '../../src/runtimes/python/index.js'
import { resolveParams } from '../../src/workloads/index.js'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { settled } from '../helpers/settled.js'

const root = mkdtempSync(join(tmpdir(), 'corebench-cleanup-'))
after(() => { rmSync(root, { recursive: true, force: true }) })
let dirs = 0
const freshDir = (): string => { const d = join(root, String(++dirs)); mkdirSync(d); return d }

/** Every file under `dir`, with its size. */
function files (dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...files(p))
    else out.push(`${p} (${statSync(p).size} bytes)`)
  }
  return out
}

function params (workload: string, p: Record<string, unknown>): Record<string, unknown> {
  const r = resolveParams(workload, p)
  if (!r.ok) throw new Error('bad params')
  return r.params
}

const bigFile = { workload: 'file-io', params: params('file-io', { bytes: 268_435_456 }), tasks: 1 }

/** Running (not zombie) processes whose parent is `ppid`. */
function childrenOf (ppid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1')
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(parent) === ppid && state !== 'Z') out.push(Number(name))
    } catch { /* exited */ }
  }
  return out
}

function running (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Milliseconds until none of `pids` runs, or fails after `limitMs`. */
async function goneWithin (pids: number[], limitMs: number): Promise<number> {
  const t0 = Date.now()
  while (pids.some(running)) {
    if (Date.now() - t0 > limitMs) assert.fail(`still running ${Date.now() - t0} ms later: ${pids.filter(running).join(', ')}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return Date.now() - t0
}

for (const kind of EXECUTOR_KINDS) {
  test(`${kind}: a 256 MB file-io task killed at a 100 ms timeout leaves no file; destroy leaves no directory`, async (t) => {
    const base = freshDir()
    const ex = createExecutor(kind, 1, { tmpDir: base })
    t.after(async () => { await ex.destroy() })
    await ex.start()
    const r = await measureRun(ex, bigFile, { taskTimeoutMs: 100 })
    assert.equal(r.ok === false && r.code, 'COREBENCH_ERR_TASK_TIMEOUT', JSON.stringify(r))
    assert.deepEqual(files(base), [], 'the killed task\'s file is gone once the run has failed')
    await ex.destroy()
    assert.deepEqual(readdirSync(base), [], 'no scratch directory after destroy')
  })
}

test('async: a cancelled 256 MB file-io task leaves no file', async (t) => {
  const base = freshDir()
  const ex = createExecutor('async', 1, { tmpDir: base })
  t.after(async () => { await ex.destroy() })
  await ex.start()
  const ac = new AbortController()
  setTimeout(() => { ac.abort() }, 100)
  const r = await measureRun(ex, bigFile, { taskTimeoutMs: 60_000, signal: ac.signal })
  assert.equal(r.ok === false && r.code, 'COREBENCH_ERR_CANCELLED')
  assert.deepEqual(files(base), [])
})

test('python: a 256 MB file-io task killed at a 100 ms timeout leaves no file, nor its scratch directory', async () => {
  const base = freshDir()
  const [r] = await runPythonFork({ ...bigFile, executor: 'async', workers: 1, warmup: 0, tmpDir: base }, { taskTimeoutMs: 100 })
  assert.equal(r?.ok === false && r.code, 'COREBENCH_ERR_TASK_TIMEOUT', JSON.stringify(r))
  assert.deepEqual(readdirSync(base), [])
})

test('scratch directories and files of dead coordinators are swept at start; a live one\'s are kept', async (t) => {
  const base = freshDir()
  const dead = spawnSync('true').pid as number
  mkdirSync(join(base, `${dead}-3`))
  writeFileSync(join(base, `${dead}-3`, 'corebench-file-io-1-0-x.bin'), 'x')
  writeFileSync(join(base, `corebench-file-io-${dead}-0-0f0e.bin`), 'x')
  mkdirSync(join(base, `${process.pid}-999`))
  mkdirSync(join(base, 'not-ours'))
  const ex = createExecutor('serialized', 1, { tmpDir: base })
  t.after(async () => { await ex.destroy() })
  await ex.start()
  const names = readdirSync(base).sort()
  assert.ok(!names.includes(`${dead}-3`) && !names.includes(`corebench-file-io-${dead}-0-0f0e.bin`), names.join(' '))
  assert.ok(names.includes(`${process.pid}-999`) && names.includes('not-ours'), names.join(' '))
})

test('kill -9 of a coordinator in the middle of long synchronous tasks: its children are gone within 2 s', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/busy-parent.ts', import.meta.url))
  const parent = spawn(process.execPath, ['--import', 'tsx', fixture, freshDir()], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.after(() => { if (parent.exitCode === null) parent.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    parent.stdout.on('data', (d: Buffer) => { if (d.toString().includes('running')) resolve() })
    parent.on('exit', code => { reject(new Error(`the fixture exited with ${code}`)) })
  })
  // Pool children only (under tsx the fixture also has an esbuild service child).
  const children = childrenOf(parent.pid as number).filter(pid => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('entries/child'))
  assert.equal(children.length, 2, 'two pool children')
  t.after(() => { for (const pid of children) { try { process.kill(pid, 'SIGKILL') } catch {} } })
  // Each task is fibonacci(38) × 8: several seconds of synchronous work, so IPC 'disconnect'
  // alone would let a child run on for seconds.
  await new Promise(resolve => setTimeout(resolve, 500))
  parent.kill('SIGKILL')
  const ms = await goneWithin(children, 2000)
  t.diagnostic(`children gone ${ms} ms after the parent's SIGKILL`)
})

test('kill -9 of the python harness in the middle of a process pool\'s tasks: its pool children are gone within 2 s', async (t) => {
  const harness = spawn('python3', HARNESS_ARGS, { cwd: PYTHON_DIR, detached: true, stdio: ['pipe', 'pipe', 'ignore'], env: harnessEnv() })
  t.after(() => { try { process.kill(-(harness.pid as number), 'SIGKILL') } catch {} })
  harness.stdin.write(JSON.stringify({ protocol: 2, workload: 'fibonacci', params: params('fibonacci', { n: 32, repeat: 20 }), tasks: 2, executor: 'process', workers: 2, warmup: 0, tmpDir: freshDir(), startupTimeoutMs: 60_000 }) + '\n')
  let out = ''
  const pool = await new Promise<number[]>((resolve, reject) => {
    harness.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find(l => l.includes('"type":"pool"'))
      if (line !== undefined) resolve(JSON.parse(line).pids)
    })
    harness.on('exit', code => { reject(new Error(`the harness exited with ${code}`)) })
  })
  assert.equal(pool.length, 2)
  await new Promise(resolve => setTimeout(resolve, 500))
  process.kill(harness.pid as number, 'SIGKILL')
  const ms = await goneWithin(pool, 2000)
  t.diagnostic(`pool children gone ${ms} ms after the harness's SIGKILL`)
})

test('a runner kills task processes whose owner is dead before it measures, and says so in the job\'s warnings', async (t) => {
  const dead = spawnSync('true').pid as number
  const orphan = spawn('sleep', ['60'], { env: { ...process.env, [PARENT_ENV]: String(dead) }, stdio: 'ignore' })
  const owned = spawn('sleep', ['60'], { env: { ...process.env, [PARENT_ENV]: String(process.pid) }, stdio: 'ignore' })
  // Another scope (another test file run beside this one, say) keeps its leftovers to itself.
  const elsewhere = spawn('sleep', ['60'], { env: { ...process.env, [PARENT_ENV]: String(dead), [SCOPE_ENV]: `${process.env[SCOPE_ENV] ?? ''}+elsewhere` }, stdio: 'ignore' })
  t.after(() => { orphan.kill('SIGKILL'); owned.kill('SIGKILL'); elsewhere.kill('SIGKILL') })
  await new Promise(resolve => setTimeout(resolve, 100))
  const found = findLeftovers().map(l => l.pid)
  assert.ok(found.includes(orphan.pid as number), `found ${found.join(', ')}`)
  assert.ok(!found.includes(owned.pid as number), 'a process whose owner lives is not a leftover')
  assert.ok(!found.includes(elsewhere.pid as number), 'a leftover of another scope is not ours to reap')

  const { app } = await build(t)
  await settled(app)
  const job = await waitFor(app, (await submit(app, { ...quickSpec, executors: ['serialized'], repetitions: 1 })).id)
  assert.equal(job.status, 'finished', job.error)
  assert.ok(!running(orphan.pid as number), 'the leftover was killed')
  assert.ok(running(owned.pid as number), 'a live owner\'s process was left alone')
  const warning = job.warnings.find((w: string) => w.includes('left behind by a corebench process that died'))
  assert.ok(warning !== undefined && warning.includes(`${orphan.pid as number} (owner ${dead})`), JSON.stringify(job.warnings))
  // Not `running(elsewhere)`: on a shared host another checkout's runner may reap it.
  assert.ok(!warning.includes(` ${elsewhere.pid as number} (owner`) && !warning.includes(`: ${elsewhere.pid as number} (owner`), 'another scope\'s leftover was not this runner\'s to reap')
  assert.deepEqual(await reapLeftovers(0), [], 'nothing left to reap')
  assert.ok(!existsSync(`/proc/${orphan.pid as number}/environ`) || !running(orphan.pid as number))
})
