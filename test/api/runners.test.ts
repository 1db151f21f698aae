import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runnerState } from '../../src/api/runners.js'
import { NO_RUNNER_WORKLOADS } from '../../src/schemas/workload.js'
import type { MachineClaim } from '../../src/store/types.js'
import { build } from '../helpers/app.js'
import { slowSpec, submit, waitFor } from '../helpers/jobs.js'

test('GET /api/runners: the local runner with its labels, runtimes and host; running job X while it runs one', async (t) => {
  const { app } = await build(t, { RUNNER_NAME: 'bench-local', RUNNER_LABELS: 'gpu,lab-2' })
  const idle = (await app.inject('/api/runners')).json()
  assert.equal(idle.length, 1)
  assert.equal(idle[0].name, 'bench-local')
  assert.equal(idle[0].state, 'idle')
  assert.deepEqual(idle[0].labels, ['gpu', 'lab-2'])
  assert.ok(idle[0].runtimes.includes('node'))
  assert.equal(idle[0].host.usableCores, app.host.usableCores)

  const job = await submit(app, slowSpec)
  await waitFor(app, job.id, j => j.status === 'running')
  const busy = (await app.inject('/api/runners')).json()
  assert.equal(busy[0].state, 'running')
  assert.equal(busy[0].jobId, job.id)
  await app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel` })
})

test('RUNNER_LABELS is refused with the variable named when a label is not plain', async (t) => {
  await assert.rejects(build(t, { RUNNER_LABELS: 'gpu,lab 2' }), /RUNNER_LABELS/)
})

test('a runner is offline once released or once its heartbeat is older than the lease, since then', () => {
  const at = new Date('2026-12-01T00:00:00Z')
  const claim: MachineClaim = { machineId: 'm', runnerId: 'r', name: 'n', pid: 1, hostId: 'h', labels: [], runtimes: [], workloads: NO_RUNNER_WORKLOADS, startedAt: at, heartbeatAt: at, releasedAt: null }
  const later = (ms: number): Date => new Date(at.getTime() + ms)
  assert.deepEqual(runnerState(claim, undefined, 15_000, later(1000)), { state: 'idle', jobId: null, offlineSince: null })
  assert.deepEqual(runnerState(claim, 'j_1', 15_000, later(1000)), { state: 'running', jobId: 'j_1', offlineSince: null })
  assert.deepEqual(runnerState(claim, 'j_1', 15_000, later(16_000)), { state: 'offline', jobId: null, offlineSince: at.toISOString() })
  assert.deepEqual(runnerState({ ...claim, releasedAt: later(500) }, undefined, 15_000, later(1000)), { state: 'offline', jobId: null, offlineSince: later(500).toISOString() })
})
