import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { StoreQueue, type RunnerIdentity } from '../../src/jobs/queue.js'
import { toRunRecord } from '../../src/jobs/run-record.js'
import { assertTransition, isFinal, TRANSITIONS, TransitionError } from '../../src/store/state.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import { FINAL_STATUSES, JOB_STATUSES, type JobRecord, type JobStatus, type RunRecord } from '../../src/store/types.js'
import { FakeClock, Hold, newJob, okRun, testHost } from './fakes.js'

describe('the transition table', () => {
  test('a job goes queued → running | cancelled, and running → finished | failed | cancelled | interrupted | queued (re-queue)', () => {
    assert.deepEqual({ ...TRANSITIONS }, {
      queued: ['running', 'cancelled'],
      running: ['finished', 'failed', 'cancelled', 'interrupted', 'queued'],
      finished: [],
      failed: [],
      cancelled: [],
      interrupted: []
    })
    for (const from of JOB_STATUSES) {
      for (const to of TRANSITIONS[from]) assert.doesNotThrow(() => { assertTransition(from, to) }, `${from} → ${to}`)
    }
  })

  test('every move outside the table throws TransitionError with its code', () => {
    let refused = 0
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        if (TRANSITIONS[from].includes(to)) continue
        assert.throws(() => { assertTransition(from, to) }, (err: unknown) => err instanceof TransitionError && err.code === 'COREBENCH_ERR_TRANSITION' && err.message.includes(`from ${from} to ${to}`), `${from} → ${to}`)
        refused++
      }
    }
    // 36 pairs, 7 allowed.
    assert.equal(refused, 29)
    // The ones a careless caller would try.
    for (const [from, to] of [['queued', 'finished'], ['queued', 'interrupted'], ['running', 'running'], ['finished', 'running'], ['cancelled', 'finished'], ['interrupted', 'running'], ['failed', 'queued']] as Array<[JobStatus, JobStatus]>) {
      assert.throws(() => { assertTransition(from, to) }, TransitionError)
    }
  })

  test('the final statuses are exactly those with no way out', () => {
    assert.deepEqual(JOB_STATUSES.filter(isFinal), [...FINAL_STATUSES])
    for (const s of FINAL_STATUSES) assert.deepEqual(TRANSITIONS[s], [])
    assert.equal(isFinal('queued'), false)
    assert.equal(isFinal('running'), false)
  })
})

const A: RunnerIdentity = { runnerId: 'r_a', hostId: 'h_1', runtimes: ['node'] }
const B: RunnerIdentity = { runnerId: 'r_b', hostId: 'h_2', runtimes: ['node', 'python'] }

function setup (): { clock: FakeClock, store: MemoryStore, queue: StoreQueue } {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now, hosts: [testHost(A.hostId), testHost(B.hostId)] })
  return { clock, store, queue: new StoreQueue(store) }
}

async function status (store: MemoryStore, id: string): Promise<JobStatus | undefined> {
  return (await store.getJob(id))?.status
}

function runOf (job: JobRecord): RunRecord {
  return toRunRecord({ jobId: job.id, runtime: 'node', executor: 'serialized', workers: 1, fork: 0, warmup: false, tasks: 4, attempt: job.attempt }, okRun(4), undefined)
}

describe('the job queue over MemoryStore: conditional changes, as the store makes them', () => {
  test('enqueue stores the job queued with its event counter at 1 (job.queued)', async () => {
    const { clock, queue } = setup()
    const job = await queue.enqueue(newJob())
    assert.equal(job.status, 'queued')
    assert.equal(job.eventSeq, 1)
    assert.equal(job.runnerId, null)
    assert.deepEqual(job.createdAt, clock.now())
    assert.equal(await queue.depth(), 1)
    await assert.rejects(queue.enqueue({ ...newJob(), id: job.id }), /exists already/)
  })

  test('claim takes the oldest queued job this runner can run, as running held by it, with the counter advanced for job.started', async () => {
    const { clock, store, queue } = setup()
    const python = await queue.enqueue(newJob({ runtimes: ['python'] }))
    const first = await queue.enqueue(newJob())
    const second = await queue.enqueue(newJob({ runtimes: ['node', 'python'] }))

    const got = await queue.claim(A)
    assert.equal(got?.id, first.id, 'a Node-only runner skips the Python job and takes the oldest Node one')
    assert.equal(got.status, 'running')
    assert.equal(got.runnerId, A.runnerId)
    assert.equal(got.hostId, A.hostId)
    assert.deepEqual(got.startedAt, clock.now())
    assert.equal(got.eventSeq, 2)
    assert.equal(await queue.claim(A), undefined, 'the job needing Python too waits for a runner that has it')
    assert.equal(await status(store, second.id), 'queued')

    assert.equal((await queue.claim(B))?.id, python.id)
    assert.equal((await queue.claim(B))?.id, second.id)
    assert.equal(await queue.claim(B), undefined)
    assert.equal(await queue.depth(), 0)
  })

  test('of two runners claiming one job, only one wins: the other\'s transition finds it running and takes nothing', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    const claimA = new Hold<readonly string[]>()
    store.hooks.beforeClaim = claimA.wait
    const slow = queue.claim(A)
    assert.deepEqual(await claimA.reached, [job.id], 'A has read the job as queued')
    assert.equal((await queue.claim(B))?.runnerId, B.runnerId, 'B passes: the hold stops the first claim only')
    claimA.release()
    assert.equal(await slow, undefined)
    const stored = await store.getJob(job.id)
    assert.equal(stored?.runnerId, B.runnerId)
    assert.equal(stored?.eventSeq, 2, 'the lost transition advanced nothing')
  })

  test('cancelQueued wins only while the job is queued; a job claimed meanwhile stays running', async () => {
    const { store, queue } = setup()
    const queued = await queue.enqueue(newJob())
    const cancelled = await queue.cancelQueued(queued.id)
    assert.equal(cancelled?.status, 'cancelled')
    assert.equal(cancelled.error, 'cancelled before it started')
    assert.equal(cancelled.eventSeq, 2)
    assert.notEqual(cancelled.finishedAt, null)
    assert.equal(await queue.claim(A), undefined, 'a cancelled job is never claimed')
    assert.equal(await queue.cancelQueued(queued.id), undefined, 'twice: the second lost')

    const running = await queue.enqueue(newJob())
    await queue.claim(A)
    assert.equal(await queue.cancelQueued(running.id), undefined)
    const stored = await store.getJob(running.id)
    assert.equal(stored?.status, 'running')
    assert.equal(stored?.eventSeq, 2)
    assert.equal(await queue.cancelQueued('j_missing'), undefined)
  })

  test('finish applies only from running and only for the holder; a final status is never left', async () => {
    const { clock, store, queue } = setup()
    const job = await queue.enqueue(newJob())
    assert.equal(await queue.finish(job.id, A.runnerId, 'finished', {}), undefined, 'not running yet')
    await queue.claim(A)
    assert.equal(await queue.finish(job.id, B.runnerId, 'finished', {}), undefined, 'B does not hold it')
    clock.advance(5000)
    const done = await queue.finish(job.id, A.runnerId, 'finished', { summary: { cells: [] }, warnings: ['noisy'], error: null })
    assert.equal(done?.status, 'finished')
    assert.deepEqual(done.finishedAt, clock.now())
    assert.deepEqual(done.summary, { cells: [] })
    assert.deepEqual(done.warnings, ['noisy'])
    assert.equal(done.eventSeq, 3)
    assert.equal(await queue.finish(job.id, A.runnerId, 'cancelled', {}), undefined)
    assert.equal(await queue.release(done, 'interrupted', 'late'), undefined)
    assert.equal(await queue.cancelQueued(job.id), undefined)
    assert.equal((await store.getJob(job.id))?.status, 'finished')
  })

  test('transition checks the table before anything: a forbidden move throws even when the status matches', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    assert.throws(() => store.transition(job.id, { from: 'queued', to: 'finished' }), TransitionError)
    assert.throws(() => store.transition(job.id, { from: 'finished', to: 'running' }), TransitionError)
    assert.equal(store.transition(job.id, { from: 'running', to: 'failed' }), undefined, 'allowed, but the job is not running: lost')
    assert.equal(store.transition('j_missing', { from: 'queued', to: 'cancelled' }), undefined)
    const stored = await store.getJob(job.id)
    assert.equal(stored?.status, 'queued')
    assert.equal(stored?.eventSeq, 1)
  })

  test('heartbeat renews the lease only for the holder and reports a cancel request', async () => {
    const { clock, store, queue } = setup()
    const job = await queue.enqueue(newJob())
    assert.equal(await queue.requestCancel(job.id), false, 'a queued job is cancelled, not asked to stop')
    assert.deepEqual(await queue.heartbeat(job.id, A.runnerId), { held: false, cancelRequested: false })
    await queue.claim(A)
    const claimedAt = clock.now()

    clock.advance(10_000)
    assert.deepEqual(await queue.heartbeat(job.id, B.runnerId), { held: false, cancelRequested: false })
    assert.deepEqual((await queue.held({ staleBefore: new Date(claimedAt.getTime() + 1) })).map(j => j.id), [job.id], 'B\'s heartbeat renewed nothing')
    assert.deepEqual(await queue.heartbeat(job.id, A.runnerId), { held: true, cancelRequested: false })
    assert.deepEqual(await queue.held({ staleBefore: new Date(claimedAt.getTime() + 1) }), [], 'A\'s did')

    assert.equal(await queue.requestCancel(job.id), true)
    assert.deepEqual(await queue.heartbeat(job.id, A.runnerId), { held: true, cancelRequested: true })
    assert.equal((await store.getJob(job.id))?.status, 'running', 'a request changes no status')
  })

  test('held: running jobs of a runner, or whose lease is older than staleBefore; nothing when asked for neither', async () => {
    const { clock, queue } = setup()
    const a = await queue.enqueue(newJob())
    const b = await queue.enqueue(newJob())
    await queue.enqueue(newJob())
    await queue.claim(A)
    clock.advance(1000)
    await queue.claim(B)
    const between = new Date(clock.now().getTime() - 500)

    assert.deepEqual((await queue.held({ runnerId: A.runnerId })).map(j => j.id), [a.id])
    assert.deepEqual((await queue.held({ staleBefore: between })).map(j => j.id), [a.id], 'B\'s lease is newer; queued jobs have none to lose')
    assert.deepEqual((await queue.held({ runnerId: B.runnerId, staleBefore: between })).map(j => j.id), [a.id, b.id])
    assert.deepEqual(await queue.held({}), [])
    await queue.finish(a.id, A.runnerId, 'finished', {})
    assert.deepEqual(await queue.held({ runnerId: A.runnerId }), [], 'a finished job is held by nobody')
    clock.advance(1)
    assert.deepEqual((await queue.held({ staleBefore: clock.now() })).map(j => j.id), [b.id], 'however stale')
  })

  test('release moves a job from the runner seen holding it to interrupted or back to queued, never one taken over since', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    const seenByA = await queue.claim(A) as JobRecord
    const requeued = await queue.release(seenByA, 'queued', 'interrupted (test); re-queued')
    assert.equal(requeued?.status, 'queued')
    assert.equal(requeued.runnerId, null)
    assert.equal(requeued.startedAt, null)
    assert.equal(requeued.eventSeq, 3)
    assert.deepEqual(await queue.held({ staleBefore: new Date(8.64e15) }), [], 'a queued job has no lease')

    const seenByB = await queue.claim(B)
    assert.equal(seenByB?.eventSeq, 4, 'the counter goes on across the re-queue')
    assert.equal(await queue.release(seenByA, 'interrupted', 'stale view'), undefined, 'A\'s view is stale: B holds the job now')
    assert.equal(await status(store, job.id), 'running')
    const interrupted = await queue.release(seenByB as JobRecord, 'interrupted', 'its runner is gone')
    assert.equal(interrupted?.status, 'interrupted')
    assert.equal(interrupted.error, 'its runner is gone')
    assert.notEqual(interrupted.finishedAt, null)
  })

  test('insertRun stores a run (and renews the lease) only while the runner holds the job', async () => {
    const { clock, store, queue } = setup()
    const job = await queue.enqueue(newJob())
    const claimed = await queue.claim(A) as JobRecord
    const run = runOf(job)
    const timings = new Float32Array([1, 2, 3, 4, 5, 6])

    assert.equal(await store.insertRun(runOf(job), undefined, B.runnerId), false)
    clock.advance(10_000)
    assert.equal(await store.insertRun(run, timings, A.runnerId), true)
    assert.deepEqual(await queue.held({ staleBefore: new Date(clock.now().getTime() - 1) }), [], 'the stored run renewed the lease')
    assert.deepEqual((await store.listRuns(job.id)).map(r => r.id), [run.id])
    assert.deepEqual(await store.getTimings(run.id), timings)
    timings[0] = 99
    assert.equal((await store.getTimings(run.id))?.[0], 1, 'stored, not shared')

    await queue.release(claimed, 'interrupted', 'recovered')
    assert.equal(await store.insertRun(runOf(job), undefined, A.runnerId), false, 'a recovered job takes no late results')
    assert.equal((await store.listRuns(job.id)).length, 1)
  })

  test('progress is written only for the holder', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    assert.equal(await queue.progress(job.id, A.runnerId, { tasksDone: 1 }), false)
    await queue.claim(A)
    assert.equal(await queue.progress(job.id, B.runnerId, { tasksDone: 2 }), false)
    assert.equal(await queue.progress(job.id, A.runnerId, { tasksDone: 3, warnings: ['busy host'] }), true)
    const stored = await store.getJob(job.id)
    assert.equal(stored?.tasksDone, 3)
    assert.deepEqual(stored?.warnings, ['busy host'])
    assert.equal(stored?.eventSeq, 2, 'progress is not a status change')
  })

  test('nextSeq advances the job\'s counter; the next transition numbers after it', async () => {
    const { queue } = setup()
    const job = await queue.enqueue(newJob())
    await queue.claim(A)
    assert.equal(await queue.nextSeq(job.id), 3)
    assert.equal(await queue.nextSeq(job.id), 4)
    assert.equal((await queue.finish(job.id, A.runnerId, 'failed', { error: 'x' }))?.eventSeq, 5)
    assert.equal(await queue.nextSeq('j_missing'), undefined, 'no such job: nothing to number, as in the Prisma store')
  })

  test('records handed out are copies: changing one changes nothing stored', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    job.status = 'finished'
    job.spec.tasks = 999
    assert.equal((await store.getJob(job.id))?.status, 'queued')
    assert.equal((await store.getJob(job.id))?.spec.tasks, 4)
    assert.equal((await queue.claim(A))?.id, job.id)
  })

  test('failNextClaims: the next N claims throw, then claiming works again', async () => {
    const { store, queue } = setup()
    const job = await queue.enqueue(newJob())
    store.failNextClaims(2, 'SQLITE_BUSY: database is locked')
    await assert.rejects(queue.claim(A), /SQLITE_BUSY/)
    await assert.rejects(queue.claim(A), /SQLITE_BUSY/)
    assert.equal((await queue.claim(A))?.id, job.id)
  })
})
