import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { CANARY_KERNEL } from '../../src/executors/canary.js'
import type { JobSpec } from '../../src/schemas/job.js'
import { jobTasksTotal } from '../../src/schemas/cells.js'
import { newId } from '../../src/store/ids.js'
import type { JobRecord } from '../../src/store/types.js'
import { version as corebenchVersion } from '../../src/version.js'
import { build } from '../helpers/app.js'
import { jobSpec } from './fakes.js'

// Workload packages on the runner side (issue 17): a runner started with WORKLOADS loads the
// fixture package, registers it with its machine, runs it through every executor and the Python
// runtime with verified checksums, records the versions on each job, and refuses a job pinned to a
// version it does not have. Jobs are stored directly: the API side (spec validation against the
// runners' published workloads) is tested with it (src/jobs/spec.ts).

const ACME = fileURLToPath(new URL('../fixtures/workload-packages/acme', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function runJob (app: FastifyInstance, spec: JobSpec): Promise<JobRecord> {
  const job = await app.store.createJob({ id: newId('j'), spec, specHash: 'spec-hash', warnings: [], tasksTotal: jobTasksTotal(spec) })
  const deadline = performance.now() + 120_000
  for (;;) {
    const now = await app.store.getJob(job.id) as JobRecord
    if (['finished', 'failed', 'cancelled', 'interrupted'].includes(now.status)) return now
    if (performance.now() > deadline) assert.fail(`job ${job.id} still ${now.status}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function runner (t: TestContext): Promise<FastifyInstance> {
  return (await build(t, { WORKLOADS: ACME, RUNNER_POLL_MS: '50' })).app
}

test('a package workload runs through every executor and the python runtime, every run verified; the job records its versions', async (t) => {
  const app = await runner(t)
  const [machine] = await app.store.listMachines()
  const registered = machine?.workloads.loaded.find(w => w.id === 'acme/digest')
  assert.equal(registered?.source, ACME, 'the runner registered what it loaded with its machine')
  assert.ok(machine?.workloads.loaded.some(w => w.id === 'fibonacci' && w.source === 'builtin' && w.version === corebenchVersion))

  const spec = jobSpec({ workload: { id: 'acme/digest', params: { rounds: 50, salt: 'b' } }, tasks: 8, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [2] })
  const job = await runJob(app, spec)
  assert.equal(job.status, 'finished', job.error ?? '')
  const runs = await app.store.listRuns(job.id)
  assert.equal(runs.length, 8, 'two runtimes × four executors')
  for (const r of runs) {
    assert.equal(r.ok, true, `${r.runtime} ${r.executor}: ${r.error?.message}`)
    assert.equal(r.verified, true, `${r.runtime} ${r.executor}: checksum ${r.checksum}`)
  }
  assert.deepEqual(new Set(runs.map(r => r.runtime)), new Set(['node', 'python']))
  const python = app.runtimes.get('python')?.version
  assert.deepEqual(job.versions, { workload: { id: 'acme/digest', version: registered?.version, source: ACME }, node: process.versions.node, python, corebench: corebenchVersion, canary: CANARY_KERNEL })
})

test('WORKLOADS_STRICT=false: the runner starts, and registers the module it could not load with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-wllenient-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'half', version: '0.0.1', corebench: { workloads: ['./broken.mjs'] } }))
  writeFileSync(join(dir, 'broken.mjs'), "export default { id: 'acme/broken', kind: 'cpu', description: 'x', params: { type: 'object', properties: {} } }\n")
  const { app } = await build(t, { WORKLOADS: `${ACME},${dir}`, WORKLOADS_STRICT: 'false', RUNNER_POLL_MS: '50' })
  const [machine] = await app.store.listMachines()
  assert.deepEqual(machine?.workloads.unavailable, [{ source: dir, file: join(dir, 'broken.mjs'), id: 'acme/broken', reason: 'run is not a function (expected run(params, task) returning { checksum })' }])
  assert.deepEqual(machine?.workloads.loaded.filter(w => w.source !== 'builtin').map(w => w.id), ['acme/digest', 'acme/noisy'])
  const job = await runJob(app, jobSpec({ workload: { id: 'acme/broken', params: {} } }))
  assert.equal(job.error, 'COREBENCH_ERR_WORKLOAD_UNAVAILABLE: this runner has no workload acme/broken (it could not load it: run is not a function (expected run(params, task) returning { checksum })); nothing was run')
})

test('a non-deterministic workload: runs succeed and none is called verified', async (t) => {
  const app = await runner(t)
  const job = await runJob(app, jobSpec({ workload: { id: 'acme/noisy', params: { spin: 1 } }, tasks: 4, executors: ['serialized', 'threaded', 'process'], workers: [2] }))
  assert.equal(job.status, 'finished', job.error ?? '')
  const runs = await app.store.listRuns(job.id)
  assert.equal(runs.length, 3)
  for (const r of runs) assert.equal(r.verified, null, `${r.executor}: never a false yes (or no)`)
  assert.equal(job.versions?.python, null, 'no python cell')
})

test('a pinned version the runner does not have: the job fails naming both versions, nothing runs', async (t) => {
  const app = await runner(t)
  const have = (await app.store.listMachines())[0]?.workloads.loaded.find(w => w.id === 'acme/digest')?.version as string
  const pinned = (version: string): JobSpec => jobSpec({ workload: { id: 'acme/digest', params: { rounds: 5, salt: 'a' }, version } as JobSpec['workload'] })
  const refused = await runJob(app, pinned('1.1.0+000000000000'))
  assert.equal(refused.status, 'failed')
  assert.equal(refused.error, `COREBENCH_ERR_WORKLOAD_VERSION: the spec pins acme/digest version 1.1.0+000000000000, this runner has version ${have} (from ${ACME}); refused, nothing was run`)
  assert.deepEqual(await app.store.listRuns(refused.id), [])
  assert.equal(refused.versions, null)

  const ran = await runJob(app, pinned(have))
  assert.equal(ran.status, 'finished', ran.error ?? '')
  assert.equal(ran.versions?.workload.version, have)

  const absent = await runJob(app, jobSpec({ workload: { id: 'acme/absent', params: {} } }))
  assert.equal(absent.error, 'COREBENCH_ERR_WORKLOAD_UNAVAILABLE: this runner has no workload acme/absent; nothing was run')
})

test('a package workload is held to the limits of the built-ins: a task past its timeout is killed on threads and processes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-wlhang-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hang', version: '0.0.1', corebench: { workloads: ['./spin.mjs'] } }))
  // Returns at once with the defaults (its smoke task); spins for ever otherwise.
  writeFileSync(join(dir, 'spin.mjs'), "export default { id: 'acme/spin', kind: 'cpu', description: 'spins', params: { type: 'object', properties: { forever: { type: 'boolean', default: false } } }, run ({ forever }) { while (forever); return { checksum: '0' } } }\n")
  const { app } = await build(t, { WORKLOADS: dir, RUNNER_POLL_MS: '50' })
  const job = await runJob(app, jobSpec({ workload: { id: 'acme/spin', params: { forever: true } }, tasks: 2, executors: ['serialized', 'threaded', 'process'], workers: [2], taskTimeoutMs: 300 }))
  assert.equal(job.status, 'failed')
  const runs = await app.store.listRuns(job.id)
  assert.deepEqual(runs.map(r => [r.executor, r.error?.code]).sort(), [['process', 'COREBENCH_ERR_TASK_TIMEOUT'], ['serialized', 'COREBENCH_ERR_TASK_TIMEOUT'], ['threaded', 'COREBENCH_ERR_TASK_TIMEOUT']])
})

test('a module edited after the runner loaded it: its jobs are refused, never run under the old version', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-wledit-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'edit', version: '3.0.0', corebench: { workloads: ['./w.mjs'] } }))
  const source = (checksum: string): string => `export default { id: 'acme/edit', kind: 'cpu', description: 'edited', params: { type: 'object', properties: {} }, run: () => ({ checksum: '${checksum}' }) }\n`
  writeFileSync(join(dir, 'w.mjs'), source('a'))
  const { app } = await build(t, { WORKLOADS: dir, RUNNER_POLL_MS: '50' })
  const loaded = (await app.store.listMachines())[0]?.workloads.loaded.find(w => w.id === 'acme/edit')?.version as string
  writeFileSync(join(dir, 'w.mjs'), source('b'))
  const job = await runJob(app, jobSpec({ workload: { id: 'acme/edit', params: {} } }))
  assert.equal(job.status, 'failed')
  assert.match(job.error ?? '', new RegExp(`^COREBENCH_ERR_WORKLOAD_VERSION: acme/edit changed on disk since this runner loaded it: version ${loaded.replace('+', '\\+')} then, 3\\.0\\.0\\+[0-9a-f]{12} now \\(${join(dir, 'w.mjs')}\\); restart the runner to load it; refused, nothing was run$`))
  assert.deepEqual(await app.store.listRuns(job.id), [])
})

test('the runner process: a bad module stops its start with one line naming the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-wlrunner-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bad', version: '0.0.1', corebench: { workloads: ['./bad.mjs'] } }))
  writeFileSync(join(dir, 'bad.mjs'), "throw new Error('needs a GPU')\n")
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'src/runner.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, WORKLOADS: dir, PYTHON: 'off', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.after(() => { child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { out += c.toString() })
  const code = await new Promise(resolve => child.on('exit', resolve))
  assert.equal(code, 1, out)
  const lines = out.trim().split('\n').filter(l => l.includes('cannot start'))
  assert.equal(lines.length, 1, out)
  assert.equal(JSON.parse(lines[0] as string).msg, `corebench runner: cannot start: WORKLOADS: ${join(dir, 'bad.mjs')}: throws on import: Error: needs a GPU`)
  assert.doesNotMatch(out, /"stack"/, 'no stack trace: the line says it all')
})
