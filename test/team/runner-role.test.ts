import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { PgBus } from '../../src/jobs/pg-bus.js'
import { createPrismaClient } from '../../src/store/client.js'
import { startServer } from '../helpers/server-process.js'
import { api, LEASES, spawnRunner, teamFile, until } from '../helpers/team.js'
import { connect } from '../helpers/ws.js'

// The least-privilege runner role (prisma/postgres/runner-role.sql) with a real runner process
// (from dist/, compiled before), and TLS settings reaching both kinds of connection.

const ROLE_SQL = readFileSync(fileURLToPath(new URL('../../prisma/postgres/runner-role.sql', import.meta.url)), 'utf8')
const tiny = { workload: { id: 'fibonacci', params: { n: 15 } }, tasks: 4, executors: ['serialized', 'threaded'], workers: [2], repetitions: 2, warmup: 0 }

const cluster = teamFile()

async function sql (url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

/** The URL of `db` as `user`. */
function as (db: string, user: string, password: string): string {
  const u = new URL(db)
  u.username = user
  u.password = password
  return u.toString()
}

test('a runner connected as the runner role runs a job to the end; the role reads no token and creates no table', async (t) => {
  const db = await cluster().database(t)
  // The API migrates and creates pg-boss's schema: the role file comes after, as the README says.
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...LEASES })
  await sql(db, ROLE_SQL)
  await sql(db, ROLE_SQL) // idempotent: an upgrade runs it again
  await sql(db, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runner_lab') THEN CREATE ROLE runner_lab LOGIN PASSWORD 'lab-secret' IN ROLE corebench_runner; END IF; END $$`)
  const runnerUrl = as(db, 'runner_lab', 'lab-secret')

  const runner = await spawnRunner(t, { DATABASE_URL: runnerUrl, RUNNER_NAME: 'least', RUNNER_MACHINE_ID: 'role-m1' })
  const job = await api(server.url, '/api/jobs', { method: 'POST', body: JSON.stringify(tiny) })
  const client = await connect(t, `${server.url.replace('http', 'ws')}/api/jobs/${job.id}/stream`)
  const done = await until(server.url, job.id, j => ['finished', 'failed', 'cancelled', 'interrupted'].includes(j.status))
    .catch((err: Error) => { throw new Error(`${err.message}\nthe runner said:\n${runner.output().slice(-3000)}`) })
  assert.equal(done.status, 'finished', `${done.error}\n${runner.output().slice(-3000)}`)
  assert.equal(done.runs.length, 4, '2 cells × 2 repetitions, stored by the runner role')
  await client.closed
  assert.equal(client.messages.at(-1)?.type, 'job.finished', 'its events reached the API over NOTIFY')
  assert.doesNotMatch(runner.output(), /permission denied/)
  const [listed] = await api(server.url, '/api/runners')
  assert.equal(`${listed.name}:${listed.state}`, 'least:idle', 'its machine claim is written and renewed')

  const refused = async (text: string, what: RegExp): Promise<void> => {
    await assert.rejects(sql(runnerUrl, text), (err: Error) => { assert.match(err.message, what, text); return true })
  }
  await refused('SELECT * FROM "ApiToken"', /permission denied for table ApiToken/)
  await refused('CREATE TABLE sneaky (id int)', /permission denied for schema public/)
  await refused('CREATE SCHEMA sneaky', /permission denied for database/)
  await refused('DROP TABLE "Job"', /must be owner of table Job/)
  await refused(`INSERT INTO "Job" ("id", "name", "status", "workloadId", "specHash", "spec") VALUES ('j_x', 'x', 'queued', 'w', 'h', '{}')`, /permission denied for table Job/)
  await refused(`UPDATE "Job" SET "spec" = '{}'`, /permission denied for table Job/)
  await refused('DELETE FROM "Run"', /permission denied for table Run/)
  await refused('DELETE FROM pgboss.job', /permission denied for table job/)
  await refused('CREATE TABLE pgboss.sneaky (id int)', /permission denied for schema pgboss/)
})

test('sslmode in DATABASE_URL reaches the store\'s pool and the LISTEN session (a server without TLS refuses both)', async (t) => {
  const db = await cluster().database(t)
  const tls = `${db}?sslmode=verify-full`
  // The test cluster has no TLS: a connection that honours sslmode=verify-full fails, one that drops it succeeds.
  await assert.rejects(async () => {
    const store = await createPrismaClient(tls)
    try { await store.$queryRawUnsafe('SELECT 1') } finally { await store.$disconnect() }
  }, /does not support SSL/)
  await assert.rejects(PgBus.connect(tls, { onError: () => {} }), /does not support SSL/)
  // Control: the same URL without it connects both ways.
  const plain = await createPrismaClient(`${db}?sslmode=disable`)
  t.after(async () => { await plain.$disconnect() })
  await plain.$queryRawUnsafe('SELECT 1')
  const bus = await PgBus.connect(`${db}?sslmode=disable`, { onError: () => {} })
  await bus.close()
})
