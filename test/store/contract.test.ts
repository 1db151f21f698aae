import assert from 'node:assert/strict'
import { after, describe, test, type TestContext } from 'node:test'
import type { RunRef } from '../../src/jobs/events.js'
import { toRunRecord } from '../../src/jobs/run-record.js'
import { TransitionError } from '../../src/store/state.js'
import { createPrismaClient } from '../../src/store/client.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import type { WorkloadDescription } from '../../src/schemas/workload.js'
import type { JobRecord, RunRecord, Store } from '../../src/store/types.js'
import { tempDatabase } from '../helpers/db.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'
import { failedRun, newJob, okRun, testHost } from '../jobs/fakes.js'

// One contract, three stores: every case runs against the in-memory store the unit tests use, against
// a real SQLite file and against a real PostgreSQL database, so that what the unit tests prove of the
// runner holds in production, alone or in team mode.

/** One PostgreSQL cluster for the file, started by the first case that needs it. */
let cluster: Promise<TestCluster> | undefined
const stopCluster: Array<() => unknown> = []
after(async () => { for (const fn of stopCluster) await fn() })

const RUNNER = { runnerId: 'r_a', hostId: 'h_1', runtimes: ['node'] }
const OTHER = { runnerId: 'r_b', hostId: 'h_2', runtimes: ['node', 'python'] }

const IMPLEMENTATIONS: Array<{ name: string, open: (t: TestContext) => Promise<Store> }> = [
  { name: 'MemoryStore', open: async () => await withHosts(new MemoryStore()) },
  {
    name: 'Prisma store (SQLite)',
    open: async (t) => {
      const store = createPrismaStore(await createPrismaClient((await tempDatabase(t)).url))
      t.after(async () => { await store.close() })
      return await withHosts(store)
    }
  },
  {
    name: 'Prisma store (PostgreSQL)',
    open: async (t) => {
      cluster ??= startCluster({ after: (fn: () => unknown) => { stopCluster.push(fn) } })
      const store = createPrismaStore(await createPrismaClient(await (await cluster).database(t)), { dialect: 'postgres' })
      t.after(async () => { await store.close() })
      return await withHosts(store)
    }
  }
]

/** The runners' hosts, recorded as a runner does before it claims. */
async function withHosts (store: Store): Promise<Store> {
  for (const id of [RUNNER.hostId, OTHER.hostId]) await store.upsertHost(testHost(id))
  return store
}

/** A workload description as a runner registers it (src/schemas/workload.ts). */
const published: WorkloadDescription = {
  id: 'acme/resize', kind: 'cpu', description: 'Resizes', params: { type: 'object', properties: {} }, defaults: {}, sharedMemory: false,
  version: '1.2.0+3f9a0c1b2d4e', source: './w', deterministic: false, runtimes: ['node', 'python']
}

/** Leases are on the wall clock in both stores: a bound an hour away is "every lease" or "none". */
const hour = 3_600_000
const allStale = (): Date => new Date(Date.now() + hour)
const noneStale = (): Date => new Date(Date.now() - hour)

function runOf (job: JobRecord, over: Partial<RunRef> = {}, ok = true): RunRecord {
  const ref: RunRef = { jobId: job.id, runtime: 'node', executor: 'serialized', workers: 1, fork: 0, warmup: false, tasks: 4, attempt: job.attempt, ...over }
  return toRunRecord(ref, ok ? okRun(4) : failedRun(4), undefined)
}

const host = testHost('h_contract', { hostname: 'bench-7' })

for (const impl of IMPLEMENTATIONS) {
  describe(`store contract: ${impl.name}`, () => {
    test('a new job is queued at event seq 1; an id is stored once', async (t) => {
      const store = await impl.open(t)
      const nj = newJob({ tags: { branch: 'main' } })
      const job = await store.createJob(nj)
      assert.equal(job.status, 'queued')
      assert.equal(job.eventSeq, 1)
      assert.equal(job.attempt, 1)
      assert.deepEqual(job.spec, nj.spec)
      assert.deepEqual(await store.getJob(job.id), job)
      await assert.rejects(store.createJob({ ...newJob(), id: job.id }))
      assert.equal(await store.getJob('j_missing'), undefined)
    })

    test('claims take the oldest job this runner can run, once, advancing the event counter', async (t) => {
      const store = await impl.open(t)
      const python = await store.createJob(newJob({ runtimes: ['node', 'python'] }))
      const first = await store.createJob(newJob())
      const second = await store.createJob(newJob())
      const claimed = await store.claimNextJob(RUNNER)
      assert.equal(claimed?.id, first.id, 'the python job waits for a runner that has python')
      assert.equal(claimed?.status, 'running')
      assert.equal(claimed?.runnerId, RUNNER.runnerId)
      assert.equal(claimed?.hostId, RUNNER.hostId)
      assert.equal(claimed?.eventSeq, 2)
      assert.ok(claimed?.startedAt instanceof Date)
      assert.equal((await store.claimNextJob(OTHER))?.id, python.id)
      assert.equal((await store.claimNextJob(RUNNER))?.id, second.id)
      assert.equal(await store.claimNextJob(RUNNER), undefined)
      assert.equal(await store.countJobs('running'), 3)
      assert.equal(await store.countJobs('queued'), 0)
    })

    test('a claim names a recorded host: a job refers to the host that ran it', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      await assert.rejects(store.claimNextJob({ ...RUNNER, hostId: 'h_unrecorded' }))
      assert.equal((await store.getJob(job.id))?.status, 'queued')
    })

    test('a transition applies only from the expected status and holder; a lost race is undefined', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'failed' }), undefined, 'not running yet')
      assert.equal(await store.transitionJob('j_missing', { from: 'queued', to: 'cancelled' }), undefined)
      await store.claimNextJob(RUNNER)
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'finished', runnerId: OTHER.runnerId }), undefined, 'held by another runner')
      assert.equal(await store.transitionJob(job.id, { from: 'queued', to: 'cancelled' }), undefined, 'no longer queued')
      assert.equal((await store.getJob(job.id))?.eventSeq, 2, 'lost races advance nothing')
      const done = await store.transitionJob(job.id, { from: 'running', to: 'finished', runnerId: RUNNER.runnerId, patch: { summary: { cells: [] }, warnings: ['w'], error: null } })
      assert.equal(done?.status, 'finished')
      assert.equal(done?.eventSeq, 3)
      assert.ok(done?.finishedAt instanceof Date)
      assert.deepEqual(done?.summary, { cells: [] })
      assert.deepEqual(done?.warnings, ['w'])
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'failed', runnerId: RUNNER.runnerId }), undefined, 'only once')
    })

    test('a move the state table forbids is refused before anything is written', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      await assert.rejects(store.transitionJob(job.id, { from: 'queued', to: 'finished' }), TransitionError)
      await assert.rejects(store.transitionJob(job.id, { from: 'finished', to: 'running' }), TransitionError)
      assert.equal((await store.getJob(job.id))?.status, 'queued')
      assert.equal((await store.getJob(job.id))?.eventSeq, 1)
    })

    test('a requested cancel wins over finishing (noCancelRequest), and heartbeats report it', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      assert.equal(await store.requestCancel(job.id), false, 'only a running job takes a cancel request')
      await store.claimNextJob(RUNNER)
      assert.deepEqual(await store.heartbeatJob(job.id, RUNNER.runnerId), { held: true, cancelRequested: false })
      assert.equal(await store.requestCancel(job.id), true)
      assert.deepEqual(await store.heartbeatJob(job.id, RUNNER.runnerId), { held: true, cancelRequested: true })
      assert.deepEqual(await store.heartbeatJob(job.id, OTHER.runnerId), { held: false, cancelRequested: false })
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'finished', runnerId: RUNNER.runnerId, noCancelRequest: true }), undefined)
      assert.equal((await store.transitionJob(job.id, { from: 'running', to: 'cancelled', runnerId: RUNNER.runnerId }))?.status, 'cancelled')
    })

    test('lease recovery is conditional on the holder seen and on the lease still being stale', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      await store.claimNextJob(RUNNER)
      assert.deepEqual((await store.heldJobs({ runnerId: RUNNER.runnerId })).map(j => j.id), [job.id])
      assert.deepEqual(await store.heldJobs({ runnerId: OTHER.runnerId }), [])
      assert.deepEqual(await store.heldJobs({ staleBefore: noneStale() }), [], 'a fresh lease is not stale')
      assert.deepEqual((await store.heldJobs({ staleBefore: allStale() })).map(j => j.id), [job.id])
      assert.deepEqual(await store.heldJobs({}), [], 'no criterion, no jobs')
      // The lease is fresher than the bound: the runner renewed it meanwhile and keeps its job.
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'queued', runnerId: RUNNER.runnerId, staleBefore: noneStale(), patch: { error: 'x' } }), undefined)
      // Another runner took it meanwhile (seen holder differs): the recovery loses.
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'queued', runnerId: OTHER.runnerId, staleBefore: allStale(), patch: { error: 'x' } }), undefined)
      const back = await store.transitionJob(job.id, { from: 'running', to: 'queued', runnerId: RUNNER.runnerId, staleBefore: allStale(), patch: { error: 'interrupted; re-queued' } })
      assert.equal(back?.status, 'queued')
      assert.equal(back?.attempt, 2, 'a re-queue starts a new attempt')
      assert.equal(back?.runnerId, null)
      assert.equal(back?.startedAt, null)
      assert.equal(back?.eventSeq, 3)
      const again = await store.claimNextJob(OTHER)
      assert.equal(again?.id, job.id)
      assert.deepEqual(await store.heartbeatJob(job.id, OTHER.runnerId), { held: true, cancelRequested: false })
    })

    test('late results of a runner that lost its job are refused: runs, progress, events', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      const held = await store.claimNextJob(RUNNER) as JobRecord
      assert.equal(await store.insertRun(runOf(held), new Float32Array([1, 2, 3]), RUNNER.runnerId), true)
      assert.equal(await store.updateHeldJob(job.id, RUNNER.runnerId, { tasksDone: 4, warnings: ['slow'] }), true)
      assert.equal(await store.transitionJob(job.id, { from: 'running', to: 'interrupted', runnerId: RUNNER.runnerId, patch: { error: 'lost' } }) !== undefined, true)
      assert.equal(await store.insertRun(runOf(held), undefined, RUNNER.runnerId), false)
      assert.equal(await store.updateHeldJob(job.id, RUNNER.runnerId, { tasksDone: 8 }), false)
      assert.equal(await store.nextEventSeq(job.id, RUNNER.runnerId), undefined)
      assert.deepEqual(await store.heartbeatJob(job.id, RUNNER.runnerId), { held: false, cancelRequested: false })
      const stored = await store.getJob(job.id)
      assert.equal(stored?.tasksDone, 4)
      assert.deepEqual(stored?.warnings, ['slow'])
      assert.equal((await store.listRuns(job.id)).length, 1, 'the run stored while held stays, the late one was refused')
    })

    test('versions: recorded by the runner that holds the job, read back with it; null before', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      assert.equal(job.versions, null)
      const versions = { workload: { id: 'acme/resize', version: '1.2.0+3f9a0c1b2d4e', source: './w' }, node: '20.20.2', python: null, corebench: '0.1.0' }
      assert.equal(await store.setJobVersions(job.id, RUNNER.runnerId, versions), false, 'queued: nobody holds it')
      await store.claimNextJob(RUNNER)
      assert.equal(await store.setJobVersions(job.id, OTHER.runnerId, versions), false, 'only its holder')
      assert.equal(await store.setJobVersions(job.id, RUNNER.runnerId, versions), true)
      assert.deepEqual((await store.getJob(job.id))?.versions, versions)
      assert.deepEqual((await store.listJobs({ limit: 5 }))[0]?.versions, versions)
    })

    test('event seq: each call advances the counter; with a holder only while it holds the job', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      assert.equal(await store.nextEventSeq(job.id), 2)
      assert.equal(await store.nextEventSeq(job.id, RUNNER.runnerId), undefined, 'queued: nobody holds it')
      assert.equal((await store.claimNextJob(RUNNER))?.eventSeq, 3)
      assert.equal(await store.nextEventSeq(job.id, RUNNER.runnerId), 4)
      assert.equal(await store.nextEventSeq(job.id, OTHER.runnerId), undefined)
      assert.equal(await store.nextEventSeq(job.id), 5)
      assert.equal((await store.transitionJob(job.id, { from: 'running', to: 'failed', runnerId: RUNNER.runnerId }))?.eventSeq, 6)
      assert.equal(await store.nextEventSeq('j_missing'), undefined)
    })

    test('runs: listed in start order for the current attempt only, with their timings; cell reads for history', async (t) => {
      const store = await impl.open(t)
      const job = await store.createJob(newJob())
      const first = await store.claimNextJob(RUNNER) as JobRecord
      const old = runOf(first)
      await store.insertRun(old, undefined, RUNNER.runnerId)
      const second = await store.transitionJob(job.id, { from: 'running', to: 'queued', runnerId: RUNNER.runnerId, patch: { error: 'x' } }) as JobRecord
      await store.claimNextJob(RUNNER)
      const a = runOf(second)
      const b = runOf(second, { executor: 'threaded', workers: 2 })
      const failed = runOf(second, { executor: 'threaded', workers: 2, fork: 1 }, false)
      const timings = new Float32Array([0.5, 1.5, 0.25, 0.5, 2.5, 0.25])
      for (const r of [b, a, failed]) assert.equal(await store.insertRun(r, r === a ? timings : undefined, RUNNER.runnerId), true)
      assert.deepEqual((await store.listRuns(job.id)).map(r => r.id), [a, b, failed].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime()).map(r => r.id), 'start order; the first attempt\'s run is apart')
      assert.deepEqual(await store.listRuns(job.id).then(rs => rs.find(r => r.id === a.id)), a, 'a run reads back as it was stored')
      assert.deepEqual(await store.getTimings(a.id), timings)
      assert.equal(await store.getTimings(b.id), undefined)
      assert.deepEqual((await store.listCellRuns([job.id], { runtime: 'node', executor: 'threaded', workers: 2 })).map(r => r.id), [b.id], 'recorded, successful runs of that cell only')
      assert.deepEqual((await store.listCellRuns([job.id], { runtime: 'node', executor: 'serialized', workers: 1 })).map(r => r.id).sort(), [old.id, a.id].sort(), 'history reads every attempt')
      assert.equal(await store.insertRun(runOf(second), undefined, 'r_nobody'), false)
      assert.equal(await store.insertRun({ ...runOf(second), jobId: 'j_missing' }, undefined), false, 'no job, no run')
      assert.equal(await store.deleteJob(job.id), true)
      assert.deepEqual(await store.listRuns(job.id), [])
      assert.equal(await store.deleteJob(job.id), false)
    })

    test('lists: newest first, filtered exactly, paged by id', async (t) => {
      const store = await impl.open(t)
      const a = await store.createJob(newJob({ tags: { branch: 'main' } }))
      const b = await store.createJob(newJob({ tags: { branch: 'dev' } }))
      const c = await store.createJob(newJob({ tags: { branch: 'main' } }))
      await store.claimNextJob(RUNNER)
      assert.deepEqual((await store.listJobs({ limit: 10 })).map(j => j.id), [c.id, b.id, a.id])
      assert.deepEqual((await store.listJobs({ limit: 10, tag: { key: 'branch', value: 'main' } })).map(j => j.id), [c.id, a.id])
      assert.deepEqual((await store.listJobs({ limit: 10, status: 'running' })).map(j => j.id), [a.id])
      assert.deepEqual((await store.listJobs({ limit: 10, host: RUNNER.hostId })).map(j => j.id), [a.id])
      assert.deepEqual((await store.listJobs({ limit: 1, before: c.id })).map(j => j.id), [b.id])
      await store.updateJob(b.id, { warnings: ['note'], summary: { answer: 'stored as given' } })
      const updated = await store.getJob(b.id)
      assert.deepEqual(updated?.warnings, ['note'])
      assert.deepEqual(updated?.summary, { answer: 'stored as given' })
    })

    test('hosts, machines, baselines and tokens', async (t) => {
      const store = await impl.open(t)
      await store.upsertHost(host)
      await store.upsertHost(host)
      assert.equal(await store.countHosts(), 3, 'one row per distinct fingerprint')
      assert.deepEqual(await store.getHost(host.id), host)
      assert.equal(await store.getHost('h_missing'), undefined)

      const at = new Date()
      const claim = { machineId: 'm_1', runnerId: 'r_a', name: 'bench', pid: 1, hostId: host.id, labels: ['lab-2'], runtimes: ['node'], workloads: { loaded: [published], unavailable: [{ source: './w', file: '/w/bad.mjs', id: null, reason: 'bad.mjs: throws on import' }] }, startedAt: at, heartbeatAt: at, releasedAt: null }
      assert.deepEqual(await store.claimMachine(claim, () => false), { ok: true })
      const busy = await store.claimMachine({ ...claim, runnerId: 'r_b' }, () => false)
      assert.equal(busy.ok, false)
      assert.equal(busy.ok ? undefined : busy.holder.runnerId, 'r_a')
      assert.equal(await store.heartbeatMachine('m_1', 'r_b'), false)
      assert.deepEqual(await store.claimMachine({ ...claim, runnerId: 'r_b' }, holder => holder.runnerId === 'r_a'), { ok: true }, 'taken over from a holder judged gone')
      assert.equal(await store.heartbeatMachine('m_1', 'r_a'), false)
      assert.equal(await store.heartbeatMachine('m_1', 'r_b'), true)
      await store.releaseMachine('m_1', 'r_a')
      assert.equal(await store.heartbeatMachine('m_1', 'r_b'), true, 'only the holder releases')
      await store.releaseMachine('m_1', 'r_b')
      assert.equal(await store.heartbeatMachine('m_1', 'r_b'), false)
      const [released] = await store.listMachines()
      assert.equal(released.runnerId, 'r_b')
      assert.deepEqual(released.labels, ['lab-2'])
      assert.deepEqual(released.workloads, claim.workloads, 'the workloads it registered, as registered')
      assert.ok(released.releasedAt instanceof Date, 'a released claim stays listed, with when')
      assert.deepEqual(await store.claimMachine({ ...claim, runnerId: 'r_c' }, () => false), { ok: true }, 'a released machine is free, its holder judged alive or not')
      assert.equal((await store.listMachines())[0].releasedAt, null)

      const job = await store.createJob(newJob())
      assert.equal(await store.getBaseline('spec-hash'), undefined)
      assert.equal((await store.setBaseline('spec-hash', job.id)).jobId, job.id)
      assert.equal((await store.getBaseline('spec-hash'))?.jobId, job.id)
      assert.deepEqual((await store.listBaselines()).map(b => b.specHash), ['spec-hash'])
      await assert.rejects(store.setBaseline('other-hash', 'j_missing'), 'a baseline names a stored job')
      await store.deleteJob(job.id)
      assert.equal(await store.getBaseline('spec-hash'), undefined, 'deleting the job deletes its baseline')

      await store.createToken('t_1', 'ci', 'digest-1')
      await store.createToken('t_2', 'ci', 'digest-2')
      await store.createToken('t_3', 'laptop', 'digest-3')
      assert.equal((await store.findToken('digest-1'))?.name, 'ci')
      assert.equal(await store.countActiveTokens(), 3)
      assert.equal(await store.revokeToken('ci'), 2)
      assert.equal(await store.revokeToken('ci'), 0)
      assert.equal(await store.findToken('digest-1'), undefined, 'a revoked token is not found')
      assert.equal(await store.countActiveTokens(), 1)
      assert.equal((await store.listTokens()).length, 3)
      await assert.rejects(store.createToken('t_4', 'again', 'digest-3'), 'a digest is stored once')
      assert.equal((await store.createJob({ ...newJob(), tokenId: 't_3' })).tokenId, 't_3')
      await assert.rejects(store.createJob({ ...newJob(), tokenId: 't_missing' }), 'a job names a stored token')
    })
  })
}
