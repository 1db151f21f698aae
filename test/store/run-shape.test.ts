import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { migrate, sqlitePath } from '../../src/store/migrate.js'
import { migratePostgres, PG_MIGRATIONS_DIR } from '../../src/store/pg-migrate.js'
import { openStore } from '../../src/store/prisma-store.js'
import { tempDatabase } from '../helpers/db.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'
import { newJob } from '../jobs/fakes.js'

// Runs stored before one run shape (issue 18) said a failed warm-up's fork with a negative
// `repetition`, their error as one "CODE: message" string, and their busy cores as `parallelism`,
// in the runs and in the job summaries. The migration rewrites them once; the store reads the rows
// as they are.
const MIGRATION = '20261201005040_run_shape'
const SQLITE_MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url))

/** One legacy row of the old Run table: the columns this migration reads, the rest zero. */
interface LegacyRun { id: string, executor: string, workers: number, repetition: number, error: string | null, parallelism: number, at: number }

// serialized/1 recorded forks 0 and 1, then failed in fork 2 with an error without a code;
// threaded/2 recorded fork 0, then its warm-up of fork 1 failed (which ends the cell).
const LEGACY: LegacyRun[] = [
  { id: 'r_s0', executor: 'serialized', workers: 1, repetition: 0, error: null, parallelism: 0.98, at: 1 },
  { id: 'r_t0', executor: 'threaded', workers: 2, repetition: 0, error: null, parallelism: 1.9, at: 2 },
  { id: 'r_s1', executor: 'serialized', workers: 1, repetition: 1, error: null, parallelism: 0.97, at: 3 },
  { id: 'r_tw', executor: 'threaded', workers: 2, repetition: -1, error: 'COREBENCH_ERR_WORKER_EXITED: worker ran out of memory: heap: 2 MB', parallelism: 0, at: 4 },
  { id: 'r_s2', executor: 'serialized', workers: 1, repetition: 2, error: 'disk I/O error', parallelism: 0, at: 5 }
]
const LEGACY_SUMMARY = { cells: [{ executor: 'serialized', workers: 1, runtime: 'node', parallelism: 0.98, busyShare: 0.49 }, { executor: 'threaded', workers: 2, runtime: 'node', parallelism: null }, { executor: 'async', workers: 1 }, 'odd'], answer: 'kept' }

/** What the store reads after the migration, in start order: [id, fork, warmup, ok, error, busyCores]. */
const EXPECTED = [
  ['r_s0', 0, false, true, null, 0.98],
  ['r_t0', 0, false, true, null, 1.9],
  ['r_s1', 1, false, true, null, 0.97],
  ['r_tw', 1, true, false, { code: 'COREBENCH_ERR_WORKER_EXITED', message: 'worker ran out of memory: heap: 2 MB' }, 0],
  ['r_s2', 2, false, false, { code: 'COREBENCH_ERR_INTERNAL', message: 'disk I/O error' }, 0]
]
const EXPECTED_SUMMARY = { cells: [{ executor: 'serialized', workers: 1, runtime: 'node', busyCores: 0.98, busyShare: 0.49 }, { executor: 'threaded', workers: 2, runtime: 'node', busyCores: null }, { executor: 'async', workers: 1 }, 'odd'], answer: 'kept' }

const TIMINGS = new Float32Array([0.5, 1.5, 0.25])

const COLUMNS = '"id", "jobId", "executor", "workers", "repetition", "ok", "error", "tasks", "wallMs", "startupMs", "coldWallMs", "cpuUserMs", "cpuSystemMs", "parallelism", "peakRssBytes", "loopDelayP50Ms", "loopDelayP99Ms", "loopDelayMaxMs", "bytesToWorkers", "bytesFromWorkers", "startedAt", "finishedAt"'
function values (jobId: string, r: LegacyRun): unknown[] {
  const at = new Date(Date.UTC(2026, 10, 30, 12, 0, r.at)).toISOString()
  return [r.id, jobId, r.executor, r.workers, r.repetition, r.error === null, r.error, 4, 10, 1, 11, 10, 0, r.parallelism, 0, 0, 0, 0, 0, 0, at, at]
}

/** Writes the legacy rows through `exec` (SQL with ? or $n placeholders), migrates, and checks the new shape. */
async function check (url: string, exec: (sql: string, params: unknown[]) => Promise<unknown>, migrateNow: () => Promise<void>, placeholder: (i: number) => string): Promise<void> {
  // Jobs as a store of that time wrote them: today's store writes columns added after this migration.
  const job = newJob({ executors: ['serialized', 'threaded'], workers: [1, 2] })
  const untouched = newJob()
  for (const j of [job, untouched]) {
    await exec(`INSERT INTO "Job" ("id", "name", "status", "workloadId", "specHash", "spec", "tasksTotal") VALUES (${[1, 2, 3, 4, 5, 6, 7].map(placeholder).join(', ')})`,
      [j.id, j.spec.name, 'queued', j.spec.workload.id, j.specHash, JSON.stringify(j.spec), j.tasksTotal])
  }
  const marks = COLUMNS.split(',').map((_, i) => placeholder(i + 1)).join(', ')
  for (const r of LEGACY) await exec(`INSERT INTO "Run" (${COLUMNS}) VALUES (${marks})`, values(job.id, r))
  // A run's timings hang off it with ON DELETE CASCADE: rebuilding the Run table must keep them.
  await exec(`INSERT INTO "TaskTiming" ("runId", "count", "data") VALUES (${placeholder(1)}, 1, ${placeholder(2)})`, ['r_s0', Buffer.from(TIMINGS.buffer)])
  await exec(`UPDATE "Job" SET "summary" = ${placeholder(1)} WHERE "id" = ${placeholder(2)}`, [JSON.stringify(LEGACY_SUMMARY), job.id])
  await exec(`UPDATE "Job" SET "summary" = ${placeholder(1)} WHERE "id" = ${placeholder(2)}`, ['{"cells":[{"busyCores":1}],"note":"new already"}', untouched.id])

  await migrateNow()

  const migrated = await openStore(url)
  try {
    const runs = await migrated.listRuns(job.id)
    assert.deepEqual(runs.map(r => [r.id, r.fork, r.warmup, r.ok, r.error, r.busyCores]), EXPECTED)
    assert.deepEqual((await migrated.getJob(job.id))?.summary, EXPECTED_SUMMARY, 'each cell\'s parallelism is its busyCores, in order; nothing else changes')
    assert.deepEqual(await migrated.getTimings('r_s0'), TIMINGS, 'the timings of a legacy run are kept')
    assert.deepEqual((await migrated.getJob(untouched.id))?.summary, { cells: [{ busyCores: 1 }], note: 'new already' })
  } finally {
    await migrated.close()
  }
}

test('SQLite: legacy runs and summaries read in the new shape after migrate()', async (t) => {
  // A database at the migration before this one: the earlier migrations' SQL, and Prisma's own
  // bookkeeping of them copied from a fully migrated database, so that `migrate deploy` applies
  // exactly this one.
  const { url: migrated } = await tempDatabase(t)
  const Database = createRequire(import.meta.url)('better-sqlite3')
  const full = new Database(sqlitePath(migrated), { readonly: true })
  const ddl = (full.prepare('SELECT "sql" FROM sqlite_master WHERE "name" = \'_prisma_migrations\'').get() as { sql: string }).sql
  const done = full.prepare('SELECT * FROM "_prisma_migrations" WHERE "migration_name" < ?').all(MIGRATION) as Array<Record<string, unknown>>
  full.close()
  const dir = mkdtempSync(join(tmpdir(), 'corebench-runshape-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const url = `file:${join(dir, 'legacy.db')}`
  const db = new Database(sqlitePath(url))
  for (const name of readdirSync(SQLITE_MIGRATIONS, { withFileTypes: true }).filter(d => d.isDirectory() && d.name < MIGRATION).map(d => d.name).sort()) {
    db.exec(readFileSync(join(SQLITE_MIGRATIONS, name, 'migration.sql'), 'utf8'))
  }
  db.exec(ddl)
  for (const row of done) db.prepare(`INSERT INTO "_prisma_migrations" (${Object.keys(row).map(k => `"${k}"`).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`).run(...Object.values(row))
  // SQLite has no boolean type: the old rows stored ok as 0/1 like Prisma does.
  const exec = async (sql: string, params: unknown[]): Promise<void> => { db.prepare(sql).run(...params.map(p => typeof p === 'boolean' ? Number(p) : p)) }
  await check(url, exec, async () => { db.close(); await migrate(url) }, () => '?')
})

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

test('PostgreSQL: legacy runs and summaries read in the new shape after migrate()', async (t) => {
  // A fresh database migrated with every migration before this one, then with all of them.
  const name = `corebench_runshape_${process.pid}`
  const admin = new pg.Client({ connectionString: cluster.url('postgres') })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = cluster.url(name)
  const earlier = mkdtempSync(join(tmpdir(), 'corebench-runshape-pg-'))
  t.after(() => rmSync(earlier, { recursive: true, force: true }))
  cpSync(PG_MIGRATIONS_DIR, earlier, { recursive: true })
  rmSync(join(earlier, MIGRATION), { recursive: true })
  await migratePostgres(url, earlier)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.after(async () => {
    const drop = new pg.Client({ connectionString: cluster.url('postgres') })
    await drop.connect()
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await drop.end()
  })
  const exec = async (sql: string, params: unknown[]): Promise<void> => { await client.query(sql, params) }
  await check(url, exec, async () => { await client.end(); await migrate(url) }, i => `$${i}`)
})
