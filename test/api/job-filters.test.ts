import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createPrismaClient } from '../../src/store/client.js'
import { Prisma } from '../../src/store/generated/client.js'
import { jobIdQuery } from '../../src/store/prisma-store.js'
import type { JobFilter } from '../../src/store/types.js'
import { build } from '../helpers/app.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'

// Issue 15 §4: ?tag=key:value is an exact, case-sensitive match of key and value, on /api/jobs and
// /api/history alike (it was a LIKE over the tags' JSON text). Issue 20 §7: every filter is served
// by an index, in O(limit): checked on the query plan, not on a timing.

/** One job per tag, each tag the only one of its job; the value is also the job's name. */
const TAGS: Array<[string, string]> = [
  ['b', 'feat-x'], ['b', 'feat_x'], // `_` is LIKE's any-one-character
  ['b', 'main'], ['b', 'Main'], ['B', 'main'], // case of value and of key
  ['b', '50%'], ['b', '50 off'], // `%` is LIKE's any-run
  ['b', 'a*'], ['b', 'ab'], ['b', 'a?'], ['b', '[ab]'], ['b', 'a'], // GLOB's *, ? and [set]
  ['b', 'x\\y'], ['b', 'x\\\\y'], // an ESCAPE character
  ['a_c', '1'], ['abc', '1'], // `_` in a key
  ['b', '"q"'], ['b', 'q'] // JSON quoting of the value
]

test('?tag=key:value matches key and value exactly: every wildcard is a plain character, case counts', async (t) => {
  const { url, seeded } = await seededDatabase(t, async (store) => {
    const jobs = []
    for (const [key, value] of TAGS) jobs.push(await seedJob(store, { status: 'finished', name: `${key}=${value}`, tags: { [key]: value }, walls: { 'serialized/1': [100, 101, 102] } }))
    return jobs
  })
  const { app } = await build(t, {}, { databaseUrl: url })
  const hash = seeded[0]?.specHash as string
  const byId = new Map(seeded.map(j => [j.id, j.name]))

  const names = async (path: string, tag: string): Promise<string[]> => {
    const res = await app.inject(`${path}${path.includes('?') ? '&' : '?'}tag=${encodeURIComponent(tag)}`)
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json()
    const ids: string[] = path.startsWith('/api/jobs') ? body.items.map((j: { id: string }) => j.id) : body.points.map((p: { jobId: string }) => p.jobId)
    return ids.map(id => byId.get(id) as string).sort()
  }
  for (const path of ['/api/jobs', `/api/history?specHash=${hash}&executor=serialized`]) {
    for (const [key, value] of TAGS) {
      assert.deepEqual(await names(path, `${key}:${value}`), [`${key}=${value}`], `${path} tag ${key}:${value}`)
    }
    // Patterns that match nothing literally: each wildcard alone, and case variants.
    for (const tag of ['b:%', 'b:_', 'b:feat%', 'b:*', 'b:?', 'b:MAIN', 'B:Main', 'b:', 'b:x\\%']) {
      assert.deepEqual(await names(path, tag), [], `${path} tag ${tag}`)
    }
  }
})

test('tags submitted through the API are stored as rows that exact filters find; ?specHash= too', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { workload: { id: 'sleep', params: { ms: 1 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0, tags: { branch: 'feat_x', commit: 'abc' } } })
  assert.equal(res.statusCode, 202, res.body)
  const { id } = res.json()
  assert.deepEqual((await app.inject('/api/jobs?tag=branch:feat_x')).json().items.map((j: { id: string }) => j.id), [id])
  assert.deepEqual((await app.inject('/api/jobs?tag=commit:abc')).json().items.map((j: { id: string }) => j.id), [id])
  assert.deepEqual((await app.inject('/api/jobs?tag=branch:feat-x')).json().items, [])
  const hash = (await app.inject(`/api/jobs/${id}`)).json().specHash as string
  assert.deepEqual((await app.inject(`/api/jobs?specHash=${hash}`)).json().items.map((j: { id: string }) => j.id), [id])
  assert.deepEqual((await app.inject('/api/jobs?specHash=0123456789abcdef')).json().items, [])
})

test('every filter of GET /api/jobs and /api/history is served by an index, newest first with no sort step', async (t) => {
  const { url } = await seededDatabase(t, async (store) => {
    await seedJob(store, { status: 'finished', tags: { b: 'main' } })
  })
  const prisma = await createPrismaClient(url)
  t.after(async () => { await prisma.$disconnect() })
  const plan = async (f: JobFilter): Promise<string> => {
    const rows = await prisma.$queryRaw<Array<{ detail: string }>>(Prisma.sql`EXPLAIN QUERY PLAN ${jobIdQuery(f)}`)
    return rows.map(r => r.detail).join('\n')
  }
  const tag = { key: 'b', value: 'main' }
  const cursor = 'j_zzzzzzzzz0000000000'
  const cases: Array<[JobFilter, RegExp]> = [
    [{ status: 'finished', limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_status_id_idx \(status=\?\)/],
    [{ workload: 'sleep', limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_workloadId_id_idx \(workloadId=\?\)/],
    [{ host: 'h1', limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_hostId_id_idx \(hostId=\?\)/],
    [{ specHash: '0123456789abcdef', limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_specHash_id_idx \(specHash=\?\)/],
    [{ tag, limit: 21 }, /SEARCH t USING COVERING INDEX JobTag_key_value_jobId_idx \(key=\? AND value=\?\)/],
    // A cursor narrows the same index to the ids below it.
    [{ status: 'finished', before: cursor, limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_status_id_idx \(status=\? AND id<\?\)/],
    [{ tag, before: cursor, limit: 21 }, /SEARCH t USING COVERING INDEX JobTag_key_value_jobId_idx \(key=\? AND value=\? AND jobId<\?\)/],
    [{ workload: 'sleep', before: cursor, limit: 21 }, /SEARCH j USING (COVERING )?INDEX Job_workloadId_id_idx \(workloadId=\? AND id<\?\)/],
    // /api/history: one spec's finished jobs.
    [{ specHash: '0123456789abcdef', status: 'finished', limit: 200 }, /SEARCH j USING (COVERING )?INDEX Job_specHash_status_id_idx \(specHash=\? AND status=\?\)/],
    // No filter: the primary key's index, read backwards.
    [{ limit: 21 }, /SCAN j USING (COVERING )?INDEX sqlite_autoindex_Job_1/],
    [{ before: cursor, limit: 21 }, /SEARCH j USING (COVERING )?INDEX sqlite_autoindex_Job_1 \(id<\?\)/]
  ]
  for (const [filter, expected] of cases) {
    const p = await plan(filter)
    assert.match(p, expected, `${JSON.stringify(filter)}:\n${p}`)
    // A sort step would read every match before the first row of the page.
    assert.doesNotMatch(p, /TEMP B-TREE/, `${JSON.stringify(filter)}:\n${p}`)
  }
  // With a tag and another filter, each job is then looked up by its id, one per index entry.
  assert.match(await plan({ tag, status: 'finished', limit: 21 }), /SEARCH j USING (COVERING )?INDEX \S+ \((status=\? AND )?id=\?\)/)
})

test('the migration gives jobs stored before it their tag rows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-tags-migration-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const migrations = new URL('../../prisma/migrations/', import.meta.url).pathname
  const names = readdirSync(migrations).filter(n => /^\d+_/.test(n)).sort()
  const mine = names.findIndex(n => n.endsWith('_job_filters'))
  assert.ok(mine > 0)
  const db = new Database(join(dir, 'db.sqlite'))
  t.after(() => { db.close() })
  const sql = (name: string): string => readFileSync(join(migrations, name, 'migration.sql'), 'utf8')
  for (const name of names.slice(0, mine)) db.exec(sql(name))
  const insert = db.prepare('INSERT INTO "Job" (id, name, status, workloadId, specHash, spec, tags) VALUES (?, \'n\', \'finished\', \'sleep\', \'0123456789abcdef\', \'{}\', ?)')
  insert.run('j_1', JSON.stringify({ branch: 'feat_x', commit: 'a"b' }))
  insert.run('j_2', '{}')
  db.exec(sql(names[mine] as string))
  assert.deepEqual(db.prepare('SELECT jobId, key, value FROM "JobTag" ORDER BY jobId, key').all(), [
    { jobId: 'j_1', key: 'branch', value: 'feat_x' },
    { jobId: 'j_1', key: 'commit', value: 'a"b' }
  ])
})
