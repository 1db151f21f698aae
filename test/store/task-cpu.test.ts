// Issue 13 "Honest CPU": the per-thread CPU figures of a run are stored (nullable columns, migration
// 20261130220000_task_cpu), come back, and reach the CSV report.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toRunRecord } from '../../src/jobs/run-record.js'
import { createPrismaClient } from '../../src/store/client.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import { toCsv } from '../../src/stats/report.js'
import { summarize } from '../../src/stats/summary.js'
import { failedRun, jobSpec, newJob, okRun } from '../jobs/fakes.js'
import { tempDatabase } from '../helpers/db.js'

test('taskCpuMs and coordinatorCpuMs are stored, read back (null where unknown) and reported', async (t) => {
  const db = await tempDatabase(t)
  const store = createPrismaStore(await createPrismaClient(db.url))
  t.after(async () => { await store.close() })
  const job = await store.createJob(newJob())
  const ref = { jobId: job.id, runtime: 'node', executor: 'serialized', workers: 1, fork: 0, warmup: false, tasks: 4, attempt: 1 }
  const measured = { ...okRun(4, 100), taskCpuMs: 93.5, coordinatorCpuMs: 4.25, busyCores: 0.935 }
  const unknown = { ...okRun(4, 100), taskCpuMs: null, coordinatorCpuMs: null }
  await store.insertRun(toRunRecord(ref, measured, undefined), undefined)
  await store.insertRun(toRunRecord({ ...ref, fork: 1 }, unknown, undefined), undefined)
  await store.insertRun(toRunRecord({ ...ref, fork: 2 }, failedRun(4), undefined), undefined)
  const runs = await store.listRuns(job.id)
  assert.deepEqual(runs.map(r => [r.taskCpuMs, r.coordinatorCpuMs]), [[93.5, 4.25], [null, null], [null, null]])
  // The cell's median is over the runs that have the figure.
  const [header, row] = toCsv(job, summarize(jobSpec(), runs), undefined).split('\r\n') as [string, string]
  const at = (name: string): string => row.split(',')[header.split(',').indexOf(name)] as string
  assert.equal(at('task_cpu_ms'), '93.5')
  assert.equal(at('coordinator_cpu_ms'), '4.25')
})
