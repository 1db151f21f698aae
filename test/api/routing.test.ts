import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { classQueue, runnerQueue } from '../../src/jobs/routing.js'
import type { HostFingerprint } from '../../src/host/fingerprint.js'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { testHost } from '../jobs/fakes.js'
import { NO_RUNNER_WORKLOADS } from '../../src/schemas/workload.js'

// runOn at submit, through the public surface: an API alone (RUNNER=off) whose registered runners are
// machine claims written as runners write them (test/team/routing.test.ts runs real runners).

const small = { workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 4, executors: ['serialized'], repetitions: 1, warmup: 0 }

/** Registers a runner as `corebench runner` does: its host fingerprint, then its machine claim. */
async function register (app: FastifyInstance, name: string, host: Partial<HostFingerprint>, opts: { labels?: string[], seenMsAgo?: number } = {}): Promise<void> {
  const fp = testHost(`h_${name}`, host)
  await app.store.upsertHost(fp)
  const at = new Date(Date.now() - (opts.seenMsAgo ?? 0))
  const claim = { machineId: `m_${name}`, runnerId: `r_${name}`, name, pid: process.pid, hostId: fp.id, labels: opts.labels ?? [], runtimes: ['node'], workloads: NO_RUNNER_WORKLOADS, startedAt: at, heartbeatAt: at, releasedAt: null }
  assert.deepEqual(await app.store.claimMachine(claim, () => true), { ok: true })
}

async function refused (app: FastifyInstance, runOn: unknown, field: string, message: RegExp): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...small, runOn } })
  assert.equal(res.statusCode, 400, res.body)
  const body = res.json()
  assert.ok(body.details.some((d: { field: string, message: string }) => d.field === field && message.test(d.message)), `${field} ${String(message)}: ${res.body}`)
}

test('runOn is refused with a 400 naming the field: out of bounds, or matching no registered runner', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await refused(app, { arch: 'arm64' }, 'runOn', /no runner is registered/)
  await register(app, 'x64-a', { arch: 'x64', usableCores: 16, cpuModel: 'EPYC' }, { labels: ['lab-1'] })
  await register(app, 'arm-a', { arch: 'arm64', usableCores: 64, cpuModel: 'Neoverse' }, { labels: ['lab-2'] })

  await refused(app, { minCores: 5000 }, 'runOn.minCores', /4096/)
  await refused(app, { minCores: 0 }, 'runOn.minCores', /1/)
  await refused(app, { labels: ['lab 2'] }, 'runOn.labels.0', /pattern|match/)
  await refused(app, { cores: 4 }, 'runOn.cores', /.+/)
  await refused(app, {}, 'runOn', /.+/)
  await refused(app, { runner: 'nope' }, 'runOn.runner', /no registered runner is named "nope" \(registered: arm-a, x64-a\)/)
  await refused(app, { arch: 'riscv64' }, 'runOn.arch', /no registered runner is riscv64/)
  await refused(app, { arch: 'x64', minCores: 32 }, 'runOn.minCores', /no registered runner has 32 usable cores \(the most: 16\)/)
  await refused(app, { labels: ['lab-1', 'lab-2'] }, 'runOn.labels', /every label of lab-1, lab-2/)
})

test('a spec without runOn is accepted as before, even before any runner registered, and may run anywhere', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  const job = await submit(app, small)
  assert.deepEqual((await app.store.getJob(job.id))?.queues, [])
})

test('a routed job is queued for its class or its runner; for offline runners it says so in its warnings', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'arm-a', { arch: 'arm64', usableCores: 64, cpuModel: 'Neoverse' }, { labels: ['lab-2'] })
  await register(app, 'gone', { arch: 'x64', usableCores: 8 }, { seenMsAgo: 3_600_000 })

  const arm = await submit(app, { ...small, runOn: { arch: 'arm64', labels: ['lab-2'] } })
  assert.deepEqual((await app.store.getJob(arm.id))?.queues, [classQueue({ arch: 'arm64', usableCores: 64, cpuModel: 'Neoverse', labels: ['lab-2'] })])
  assert.ok(!arm.warnings.some(w => /offline/.test(w)), arm.warnings.join('\n'))

  const named = await submit(app, { ...small, runOn: { runner: 'gone' } })
  assert.deepEqual((await app.store.getJob(named.id))?.queues, [runnerQueue('gone')])
  assert.match(named.warnings.join('\n'), /every runner that can run this job is offline \(gone since .*\): it waits in the queue/)
  const view = (await app.inject(`/api/jobs/${named.id}`)).json()
  assert.match(view.warnings.join('\n'), /offline/)
  assert.deepEqual(view.spec.runOn, { runner: 'gone' })
})

test('a routed job\'s default sweep, caps and core warnings use the cores of its placement, not the API host\'s', async (t) => {
  const { app } = await build(t, { MAX_WORKERS: '256', MAX_WORKERS_PER_CORE: '1' }, { runner: 'off' })
  assert.ok(app.host.usableCores < 64, 'this test needs an API host with fewer than 64 usable cores')
  await register(app, 'big', { arch: 'arm64', usableCores: 64 })
  await register(app, 'tiny', { arch: 'x64', usableCores: 1 })

  const big = await submit(app, { ...small, executors: ['serialized', 'threaded'], tasks: 256, runOn: { arch: 'arm64' } })
  const spec = (await app.inject(`/api/jobs/${big.id}`)).json().spec
  assert.deepEqual(spec.workers, [1, 2, 4, 8, 16, 32, 64], 'powers of two below the runner\'s 64 cores, plus 64')
  assert.ok(!big.warnings.some(w => /workers up to/.test(w)), big.warnings.join('\n'))
  // Above the API host's cap (1 worker per core) but within the runner's.
  await submit(app, { ...small, executors: ['threaded'], workers: [64], tasks: 256, runOn: { runner: 'big' } })

  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { ...small, executors: ['threaded'], workers: [2], tasks: 8, runOn: { runner: 'tiny' } } })
  assert.equal(res.statusCode, 400, res.body)
  assert.match(res.json().message, /workers: 2 is above the limit 1 .*× 1 cores/)
})

test('a job records its runner; job lists and history filter by it; a comparison names the runners', async (t) => {
  const { app } = await build(t, { RUNNER_NAME: 'bench-a' })
  const job = await waitFor(app, (await submit(app, quickSpec)).id)
  assert.equal(job.status, 'finished')
  assert.equal(job.runner, 'bench-a', 'the job records the runner that ran it')
  assert.deepEqual((await app.inject('/api/jobs?runner=bench-a')).json().items.map((j: { id: string }) => j.id), [job.id])
  assert.deepEqual((await app.inject('/api/jobs?runner=bench-b')).json().items, [])
  const history = async (runner: string): Promise<string[]> => {
    const res = await app.inject(`/api/history?specHash=${job.specHash}&executor=serialized&runner=${runner}`)
    assert.equal(res.statusCode, 200, res.body)
    return res.json().points.map((p: { jobId: string }) => p.jobId)
  }
  assert.deepEqual(await history('bench-a'), [job.id])
  assert.deepEqual(await history('bench-b'), [])
  const cmp = (await app.inject(`/api/jobs/${job.id}/compare/${job.id}`)).json()
  assert.equal(cmp.job.runner, 'bench-a')
})
