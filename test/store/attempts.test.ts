// A job re-queued after losing its runner starts a new attempt (issue 20 §6): the interrupted
// attempt's runs stay stored but are never listed, summarized or counted with the new one's.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostFingerprint } from '../../src/host/fingerprint.js'
import { StoreQueue } from '../../src/jobs/queue.js'
import { toRunRecord } from '../../src/jobs/run-record.js'
import { createPrismaClient } from '../../src/store/client.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import type { JobRecord } from '../../src/store/types.js'
import { tempDatabase } from '../helpers/db.js'
import { jobSpec, okRun } from '../jobs/fakes.js'

test('re-queued: the new attempt\'s runs alone are listed; the old ones are kept apart', async (t) => {
  const store = createPrismaStore(await createPrismaClient((await tempDatabase(t)).url))
  t.after(async () => { await store.close() })
  const queue = new StoreQueue(store)
  const spec = jobSpec({ repetitions: 2 })
  await queue.enqueue({ id: 'j_0000000000000000001', spec, specHash: 'h', warnings: [], tasksTotal: 8 })
  const host = hostFingerprint()
  await store.upsertHost(host)
  const runner = (id: string) => ({ runnerId: id, hostId: host.id, runtimes: ['node'] })
  const ref = (job: JobRecord, fork: number) => ({ jobId: job.id, runtime: 'node', executor: 'serialized', workers: 1, fork, warmup: false, tasks: 4, attempt: job.attempt })

  const first = await queue.claim(runner('r_first')) as JobRecord
  assert.equal(first.attempt, 1)
  assert.equal(await store.insertRun(toRunRecord(ref(first, 0), okRun(4), undefined), undefined, 'r_first'), true)
  // Its runner dies; the job goes back to the queue.
  const requeued = await queue.release(first, 'queued', 'interrupted; re-queued')
  assert.equal(requeued?.attempt, 2)
  assert.deepEqual(await store.listRuns(first.id), [], 'a queued attempt has no runs yet')

  const second = await queue.claim(runner('r_second')) as JobRecord
  assert.equal(second.attempt, 2)
  for (const rep of [0, 1]) assert.equal(await store.insertRun(toRunRecord(ref(second, rep), okRun(4), undefined), undefined, 'r_second'), true)
  const runs = await store.listRuns(first.id)
  assert.deepEqual(runs.map(r => [r.attempt, r.fork]), [[2, 0], [2, 1]], 'two repetitions, as the spec says: never three')
})
