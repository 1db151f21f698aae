import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jobListItem, loadJobView } from '../../src/views/jobs.js'
import { MemoryBus } from '../../src/jobs/bus.js'
import type { Progress } from '../../src/jobs/events.js'
import { ProgressBoard } from '../../src/jobs/progress-board.js'
import { toRunRecord } from '../../src/jobs/run-record.js'
import type { JobSummary } from '../../src/stats/summary.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import type { JobRecord } from '../../src/store/types.js'
import { newJob, okRun, testHost } from './fakes.js'

// The views clients read (GET /api/jobs/:id, list items, stream snapshots), built from the records
// of the in-memory store and the live progress kept from events on the in-memory bus.

const RUNNER = { runnerId: 'r_a', hostId: 'h_1', runtimes: ['node'] }

async function runningJob (): Promise<{ store: MemoryStore, job: JobRecord }> {
  const store = new MemoryStore({ hosts: [testHost(RUNNER.hostId)] })
  await store.createJob(newJob({ executors: ['serialized', 'threaded'], workers: [2], repetitions: 2 }))
  const job = await store.claimNextJob(RUNNER) as JobRecord
  for (const [executor, workers, fork] of [['serialized', 1, 0], ['threaded', 2, 0], ['serialized', 1, 1]] as const) {
    await store.insertRun(toRunRecord({ jobId: job.id, runtime: 'node', executor, workers, fork, warmup: false, tasks: 4, attempt: 1 }, okRun(4, executor === 'serialized' ? 20 : 10), undefined), undefined, RUNNER.runnerId)
  }
  await store.updateHeldJob(job.id, RUNNER.runnerId, { tasksDone: 12 })
  return { store, job }
}

function progress (job: JobRecord, over: Partial<Progress>): Progress {
  return { jobId: job.id, runtime: 'node', executor: 'threaded', workers: 2, fork: 1, warmup: false, tasks: 4, attempt: 1, runDone: 2, runTotal: 4, cellDone: 6, cellTotal: 8, jobDone: 14, jobTotal: 16, ...over }
}

test('a running job\'s view: its stored runs with their place in the round, a live summary, and the live progress of every cell', async () => {
  const { store, job } = await runningJob()
  const bus = new MemoryBus()
  const board = new ProgressBoard(bus)
  bus.publish({ type: 'progress', jobId: job.id, seq: 9, at: new Date().toISOString(), data: progress(job, { executor: 'serialized', workers: 1, cellDone: 8, jobDone: 12, runDone: 4 }) })
  bus.publish({ type: 'progress', jobId: job.id, seq: 10, at: new Date().toISOString(), data: progress(job, {}) })
  const loaded = await loadJobView(store, id => board.get(id), job.id)
  assert.ok(loaded !== undefined)
  const { view } = loaded
  assert.equal(view.status, 'running')
  assert.equal(view.hostId, RUNNER.hostId)
  assert.deepEqual(view.runs.map(r => [r.executor, r.position]), [['serialized', 0], ['threaded', 1], ['serialized', 0]])
  assert.equal(typeof view.runs[0]?.startedAt, 'string', 'dates as ISO text')
  assert.deepEqual((view.summary as JobSummary).cells.map(c => [c.executor, c.runs]), [['serialized', 2], ['threaded', 1]], 'summarised from the runs stored so far')
  assert.equal(view.progress.tasksDone, 14, 'the live count, ahead of the stored one')
  assert.deepEqual(view.progress.cells.map(c => [c.executor, c.done, c.total]), [['serialized', 8, 8], ['threaded', 6, 8]])
  assert.equal(view.progress.current?.executor, 'threaded')
  board.close()
})

test('a finished job\'s view shows the summary stored when it ended, and no live progress even if an event lingers', async () => {
  const { store, job } = await runningJob()
  const stored = { cells: [], answer: 'stored at the end', warnings: [] }
  await store.transitionJob(job.id, { from: 'running', to: 'finished', runnerId: RUNNER.runnerId, patch: { summary: stored } })
  const live = { current: progress(job, {}), cells: [{ runtime: 'node', executor: 'threaded', workers: 2, done: 6, total: 8 }] }
  const loaded = await loadJobView(store, () => live, job.id)
  assert.equal(loaded?.view.answer, 'stored at the end')
  assert.deepEqual(loaded?.view.summary, stored, 'not summarised again from the runs')
  assert.deepEqual(loaded?.view.progress, { tasksDone: 12, tasksTotal: job.tasksTotal, current: null, cells: [] })
  const item = jobListItem(await store.getJob(job.id) as JobRecord, live)
  assert.equal(item.status, 'finished')
  assert.equal(item.links.self, `/api/jobs/${job.id}`)
  assert.equal(item.progress.current, null)
})

test('no such job: no view', async () => {
  assert.equal(await loadJobView(new MemoryStore(), () => undefined, 'j_missing'), undefined)
})
