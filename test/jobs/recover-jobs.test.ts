import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryBus } from '../../src/jobs/bus.js'
import type { JobEvent } from '../../src/jobs/events.js'
import { JobPublisher } from '../../src/jobs/publisher.js'
import { StoreQueue } from '../../src/jobs/queue.js'
import { recoverJobs } from '../../src/jobs/recovery.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import type { JobRecord } from '../../src/store/types.js'
import { FakeClock, Hold, newJob, Recorder, testHost } from './fakes.js'

// recoverJobs on the in-memory store and bus, with a clock that moves only when told: which jobs a
// recovery takes (by runner, by stale lease), what it writes, and what it announces.

const DEAD = { runnerId: 'r_dead', hostId: 'h_1', runtimes: ['node'] }
const LIVE = { runnerId: 'r_live', hostId: 'h_1', runtimes: ['node'] }
const LEASE_MS = 15_000

async function setup (): Promise<{ clock: FakeClock, store: MemoryStore, queue: StoreQueue, publisher: JobPublisher, events: Recorder<JobEvent>, dead: JobRecord, live: JobRecord }> {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now, hosts: [testHost('h_1')] })
  const queue = new StoreQueue(store)
  const bus = new MemoryBus()
  const events = new Recorder<JobEvent>()
  bus.subscribe(events.add)
  const publisher = new JobPublisher(bus, queue, job => ({ id: job.id, status: job.status }), err => { throw err })
  await queue.enqueue(newJob())
  await queue.enqueue(newJob())
  const dead = await queue.claim(DEAD) as JobRecord
  clock.advance(LEASE_MS + 1)
  const live = await queue.claim(LIVE) as JobRecord
  return { clock, store, queue, publisher, events, dead, live }
}

test('a stale lease: that job is interrupted with the reason and announced; a job whose lease is fresh is kept', async () => {
  const { clock, store, publisher, events, dead, live } = await setup()
  const staleBefore = new Date(clock.now().getTime() - LEASE_MS)
  const changed = await recoverJobs(new StoreQueue(store), publisher, { staleBefore, requeue: false, reason: 'its runner stopped renewing its lease' })
  assert.deepEqual(changed.map(j => j.id), [dead.id])
  const stored = await store.getJob(dead.id)
  assert.equal(stored?.status, 'interrupted')
  assert.equal(stored?.error, 'interrupted: its runner stopped renewing its lease; runs measured before that are kept')
  assert.equal((await store.getJob(live.id))?.status, 'running')
  await publisher.flush(dead.id)
  assert.deepEqual(events.items.map(e => [e.type, e.jobId, e.seq]), [['job.interrupted', dead.id, dead.eventSeq + 1]])
})

test('by runner (its supervisor saw it exit): every job it holds, however fresh, and none of another runner\'s', async () => {
  const { store, publisher, live, dead } = await setup()
  const changed = await recoverJobs(new StoreQueue(store), publisher, { runnerId: LIVE.runnerId, requeue: false, reason: 'the runner exited' })
  assert.deepEqual(changed.map(j => j.id), [live.id])
  assert.equal((await store.getJob(dead.id))?.status, 'running')
})

test('re-queue: the job goes back to queued as a new attempt, announced with job.queued, and can be claimed again', async () => {
  const { clock, queue, publisher, events, dead } = await setup()
  const changed = await recoverJobs(queue, publisher, { staleBefore: new Date(clock.now().getTime() - LEASE_MS), requeue: true, reason: 'lease expired' })
  assert.equal(changed[0]?.status, 'queued')
  assert.equal(changed[0]?.attempt, 2)
  assert.equal(changed[0]?.error, 'interrupted (lease expired); re-queued')
  await publisher.flush(dead.id)
  assert.deepEqual(events.items.map(e => e.type), ['job.queued'])
  assert.equal((await queue.claim(LIVE))?.id, dead.id)
})

test('a runner that renews its lease between the recovery\'s read and its write keeps its job, and nothing is announced', async () => {
  const { clock, store, queue, publisher, events, dead } = await setup()
  const read = new Hold<readonly JobRecord[]>()
  store.hooks.afterHeld = read.wait
  const recovery = recoverJobs(queue, publisher, { staleBefore: new Date(clock.now().getTime() - LEASE_MS), requeue: false, reason: 'lease expired' })
  assert.deepEqual((await read.reached).map(j => j.id), [dead.id], 'the sweep saw the job stale')
  assert.equal((await queue.heartbeat(dead.id, DEAD.runnerId)).held, true)
  read.release()
  assert.deepEqual(await recovery, [])
  assert.equal((await store.getJob(dead.id))?.status, 'running')
  assert.deepEqual(events.items, [])
})

test('nothing to recover: no change, no event', async () => {
  const { store, publisher, events } = await setup()
  assert.deepEqual(await recoverJobs(new StoreQueue(store), publisher, { runnerId: 'r_nobody', requeue: false, reason: 'x' }), [])
  assert.deepEqual(events.items, [])
})
