import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../../src/store/generated-pg/client.js'
import { migratePostgres, PG_MIGRATIONS_DIR } from '../../src/store/pg-migrate.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'

const root = new URL('../../', import.meta.url).pathname
let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

async function columns (url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
      const { rows } = await client.query<{ c: string }>(`
        SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS c
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\\_corebench\\_%'
        UNION ALL SELECT tablename || ' index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\\_corebench\\_%'
        ORDER BY 1`)
      return rows.map(r => r.c)
  } finally {
    await client.end()
  }
}

test('the PostgreSQL schema is the SQLite schema with another provider: regenerated, it is unchanged', () => {
  const res = spawnSync(process.execPath, ['scripts/pg-schema.mjs', '--check'], { cwd: root, encoding: 'utf8' })
  assert.equal(res.status, 0, res.stderr)
  const models = (file: string): string[] => [...readFileSync(join(root, file), 'utf8').matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)].map(m => `${m[1]}:${m[2].replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ').trim()}`)
  assert.deepEqual(models('prisma/postgres/schema.prisma'), models('prisma/schema.prisma'))
  assert.ok(models('prisma/schema.prisma').length >= 9)
})

test('the PostgreSQL migrations build exactly what the schema describes', async (t) => {
  const fromMigrations = await cluster.database(t)
  const fromSchema = cluster.url(`corebench_schema_${process.pid}`)
  const admin = new pg.Client({ connectionString: cluster.url('postgres') })
  await admin.connect()
  await admin.query(`CREATE DATABASE corebench_schema_${process.pid}`)
  await admin.end()
  // Prisma writes the SQL of the schema as it is now (its js engine needs a live database for that).
  const res = spawnSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--config', 'prisma/postgres/prisma.config.ts',
    '--from-empty', '--to-schema-datamodel', 'prisma/postgres/schema.prisma', '--script'], { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: fromSchema } })
  assert.equal(res.status, 0, res.stderr)
  const client = new pg.Client({ connectionString: fromSchema })
  await client.connect()
  await client.query(res.stdout)
  await client.end()
  assert.deepEqual(await columns(fromMigrations), await columns(fromSchema))
})

test('migrations apply once: a second call and two concurrent callers change nothing', async (t) => {
  const url = await cluster.database(t)
  assert.deepEqual(await migratePostgres(url), [], 'the template is already migrated')
  const scratch = cluster.url(`corebench_fresh_${process.pid}`)
  const admin = new pg.Client({ connectionString: cluster.url('postgres') })
  await admin.connect()
  await admin.query(`CREATE DATABASE corebench_fresh_${process.pid}`)
  await admin.end()
  const [a, b] = await Promise.all([migratePostgres(scratch), migratePostgres(scratch)])
  const all = [...a, ...b].sort()
  assert.ok(all.length > 0)
  assert.equal(new Set(all).size, all.length, 'no migration applied twice')
  assert.deepEqual(await columns(scratch), await columns(url))
})

test('a failing migration rolls back whole and names itself; a changed applied migration is refused', async (t) => {
  const url = await cluster.database(t)
  const dir = mkdtempSync(join(tmpdir(), 'corebench-pgmig-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(PG_MIGRATIONS_DIR, dir, { recursive: true })
  mkdirSync(join(dir, '29990101000000_broken'))
  writeFileSync(join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Half" ("id" TEXT);\nSELECT no_such_function();')
  await assert.rejects(migratePostgres(url, dir), /migration 29990101000000_broken failed: .*no_such_function/)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    assert.equal((await client.query(`SELECT to_regclass('"Half"') AS t`)).rows[0].t, null, 'the half-applied table was rolled back')
    assert.equal((await client.query(`SELECT count(*)::int AS n FROM "_corebench_migrations" WHERE "name" = '29990101000000_broken'`)).rows[0].n, 0)

    const [first] = (await client.query<{ name: string }>('SELECT "name" FROM "_corebench_migrations" ORDER BY 1 LIMIT 1')).rows
    writeFileSync(join(dir, first.name, 'migration.sql'), readFileSync(join(dir, first.name, 'migration.sql'), 'utf8') + '\n-- edited')
    rmSync(join(dir, '29990101000000_broken'), { recursive: true })
    await assert.rejects(migratePostgres(url, dir), new RegExp(`migration ${first.name} changed after it was applied`))
  } finally {
    // Before the database is dropped with FORCE, which would kill this session mid-test.
    await client.end()
  }
})

test('the generated PostgreSQL client reads and writes through the pg adapter', async (t) => {
  const url = await cluster.database(t)
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) })
  t.after(() => prisma.$disconnect())
  const fields = { hostname: 'h', cpuModel: 'c', logicalCores: 2, usableCores: 2, totalMemoryMb: 1, platform: 'linux', arch: 'x64', release: 'r', nodeVersion: 'v20', corebenchVersion: '0' }
  await prisma.host.create({ data: { id: 'h1', ...fields } })
  const host = await prisma.host.findUniqueOrThrow({ where: { id: 'h1' } })
  assert.equal(host.cpuModel, 'c')
  assert.ok(host.firstSeenAt instanceof Date)
})
