import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPrismaClient } from '../../src/store/client.js'
import { migrate } from '../../src/store/migrate.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import { tempDatabase } from '../helpers/db.js'
import { newJob, testHost } from '../jobs/fakes.js'

const MIGRATION = '20261201000500_legacy_job_rows'

// Rows stored before the runtime axis have no runtimes in their spec and none in their summary's
// cells. The store reads rows as they are; the migration gives such rows their Node runtime, once.
test('a job row stored before the runtime axis is fixed by its migration, run once through migrate()', async (t) => {
  const { url } = await tempDatabase(t)
  // The template has every migration applied: take this one back, then write legacy-shaped rows.
  const prisma = await createPrismaClient(url)
  const store = createPrismaStore(prisma)
  const queued = await store.createJob(newJob())
  const finished = await store.createJob(newJob())
  const python = await store.createJob(newJob({ runtimes: ['node', 'python'] }))
  const legacySummary = { cells: [{ executor: 'serialized', workers: 1, runs: 3 }, { executor: 'threaded', workers: 2, runs: 3 }], scaling: [{ executor: 'threaded', recommendedWorkers: 2 }], answer: 'kept' }
  await prisma.$executeRawUnsafe(`UPDATE "Job" SET "spec" = json_remove("spec", '$.runtimes') WHERE "id" IN (?, ?)`, queued.id, finished.id)
  await prisma.$executeRawUnsafe('UPDATE "Job" SET "status" = \'finished\', "summary" = ? WHERE "id" = ?', JSON.stringify(legacySummary), finished.id)
  await prisma.$executeRawUnsafe('DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?', MIGRATION)

  // The read path no longer patches rows: a legacy row reads as it is stored.
  assert.equal((await store.getJob(queued.id))?.spec.runtimes, undefined)
  assert.deepEqual((await store.getJob(finished.id))?.summary, legacySummary)
  await store.close()

  await migrate(url)

  const after = createPrismaStore(await createPrismaClient(url))
  t.after(async () => { await after.close() })
  assert.deepEqual((await after.getJob(queued.id))?.spec, queued.spec, 'runtimes ["node"] again, as created')
  assert.deepEqual((await after.getJob(python.id))?.spec.runtimes, ['node', 'python'], 'a spec with runtimes is left as it was')
  assert.deepEqual((await after.getJob(finished.id))?.summary, {
    cells: legacySummary.cells.map(c => ({ ...c, runtime: 'node' })),
    scaling: legacySummary.scaling.map(s => ({ ...s, runtime: 'node' })),
    answer: 'kept'
  }, 'every cell and scaling fit gets runtime node, in order, and nothing else changes')
  // A Node runner takes the legacy job (runtimes read from the row, not assumed).
  await after.upsertHost(testHost('h_1'))
  assert.equal((await after.claimNextJob({ runnerId: 'r_a', hostId: 'h_1', runtimes: ['node'] }))?.id, queued.id)
})
