import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { TRANSITIONS, TransitionError } from '../../src/store/state.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import { JOB_STATUSES, type JobRecord, type JobStatus } from '../../src/store/types.js'
import { FakeClock, newJob, testHost } from './fakes.js'

// Every edge of src/store/state.ts, taken through the store from a job that really is in `from`:
// the allowed ones apply (and number their event), the others throw before anything is written,
// and an allowed one asked of a job in another status loses (undefined) without a trace.

const RUNNER = { runnerId: 'r_a', hostId: 'h_1', runtimes: ['node'] }

/** A store holding one job in `status`, reached by the lifecycle's own transitions. */
async function jobIn (status: JobStatus): Promise<{ store: MemoryStore, job: JobRecord }> {
  const store = new MemoryStore({ now: new FakeClock().now, hosts: [testHost(RUNNER.hostId)] })
  let job = await store.createJob(newJob())
  if (status !== 'queued') job = await store.claimNextJob(RUNNER) as JobRecord
  if (status !== 'queued' && status !== 'running') job = await store.transitionJob(job.id, { from: 'running', to: status, runnerId: RUNNER.runnerId }) as JobRecord
  assert.equal(job.status, status)
  return { store, job }
}

describe('every edge of the job lifecycle, through MemoryStore', () => {
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      const allowed = TRANSITIONS[from].includes(to)
      test(`${from} → ${to}: ${allowed ? 'applied' : 'refused'}`, async () => {
        const { store, job } = await jobIn(from)
        const t = { from, to, runnerId: from === 'running' ? RUNNER.runnerId : undefined, holder: to === 'running' ? RUNNER.runnerId : undefined, patch: { error: `to ${to}` } }
        if (!allowed) {
          await assert.rejects(store.transitionJob(job.id, t), TransitionError)
          assert.deepEqual(await store.getJob(job.id), job, 'nothing written')
          return
        }
        const done = await store.transitionJob(job.id, t)
        assert.equal(done?.status, to)
        assert.equal(done?.eventSeq, job.eventSeq + 1, 'the change takes the next event seq')
        assert.equal(done?.error, `to ${to}`)
        assert.equal(done?.finishedAt !== null, ['finished', 'failed', 'cancelled', 'interrupted'].includes(to), 'finishedAt set on a final status only')
        if (to === 'running') assert.equal(done?.runnerId, RUNNER.runnerId)
        if (to === 'queued') assert.deepEqual([done?.attempt, done?.runnerId, done?.startedAt], [job.attempt + 1, null, null], 'a re-queue is a new attempt, held by nobody')
        // The same edge again: the job is no longer in `from`, so the transition loses.
        if (from !== to) assert.equal(await store.transitionJob(job.id, t), undefined)
      })
    }
  }

  test('an allowed edge asked of a job in any other status loses and changes nothing', async () => {
    for (const from of JOB_STATUSES) {
      for (const to of TRANSITIONS[from]) {
        for (const actual of JOB_STATUSES.filter(s => s !== from)) {
          const { store, job } = await jobIn(actual)
          assert.equal(await store.transitionJob(job.id, { from, to, holder: RUNNER.runnerId }), undefined, `${from} → ${to} on a ${actual} job`)
          assert.deepEqual(await store.getJob(job.id), job)
        }
      }
    }
  })
})
