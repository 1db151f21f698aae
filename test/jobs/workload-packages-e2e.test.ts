// Issue 17, "Done means": a package made by `corebench workload init`, pointed at by WORKLOADS,
// appears in /api/workloads, runs through every executor and both runtimes with verified checksums,
// and shows its version in the job and in history; and one spec across a deliberately slowed
// version (6 jobs on A, 6 on B): history, regressions and compare name both versions, and
// `corebench regressions` finds the change at the first job of B.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { build } from '../helpers/app.js'
import { cli, listening } from '../helpers/cli.js'
import { tempDatabase } from '../helpers/db.js'
import { submit, waitFor } from '../helpers/jobs.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-wl-e2e-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

async function scaffold (name: string): Promise<string> {
  const dir = join(tmp, name)
  const r = await cli('http://127.0.0.1:9', ['workload', 'init', name, '--scope', 'acme', '--dir', dir])
  assert.equal(r.code, 0, r.err)
  return dir
}

async function listed (app: FastifyInstance, id: string): Promise<{ version: string, source: string, runtimes: Array<{ id: string, available: boolean }> }> {
  const w = ((await app.inject('/api/workloads')).json() as Array<{ id: string, version: string, source: string, runtimes: Array<{ id: string, available: boolean }> }>).find(x => x.id === id)
  assert.ok(w !== undefined, `${id} is in GET /api/workloads`)
  return w
}

test('a scaffolded package in WORKLOADS: listed with its version, run by every executor in Node and Python with verified checksums, its version in the job and in history', { timeout: 180_000 }, async (t) => {
  const dir = await scaffold('sum-draws')
  const { app } = await build(t, { WORKLOADS: dir })
  const w = await listed(app, 'acme/sum-draws')
  assert.match(w.version, /^0\.1\.0\+[0-9a-f]{12}$/)
  assert.equal(w.source, dir)
  assert.deepEqual(w.runtimes.filter(r => r.available).map(r => r.id).slice(0, 2), ['node', 'python'])

  const job = await submit(app, { workload: { id: 'acme/sum-draws', params: { n: 100_000 } }, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], tasks: 4, repetitions: 1, warmup: 0 })
  const done = await waitFor(app, job.id)
  assert.equal(done.status, 'finished', JSON.stringify(done.error))
  const cells = new Set(done.runs.map((r: { runtime: string, executor: string }) => `${r.runtime}/${r.executor}`))
  assert.equal(cells.size, 8, [...cells].join(', '))
  for (const r of done.runs) {
    assert.equal(r.ok, true, JSON.stringify(r.error))
    if (r.executor !== 'serialized') assert.equal(r.verified, true, `${r.runtime}/${r.executor} verified`)
  }
  // Both runtimes compute the same sums: one checksum for the whole job.
  assert.equal(new Set(done.runs.map((r: { checksum: string }) => r.checksum)).size, 1)
  assert.equal(done.versions.workload.version, w.version)
  assert.equal(done.versions.workload.source, dir)
  assert.match(done.versions.python, /\d+\.\d+/)

  const h = (await app.inject(`/api/history?specHash=${done.specHash}&executor=threaded&workers=2`)).json()
  assert.deepEqual(h.points.map((p: { version: string }) => p.version), [w.version])
})

test('one spec across a slowed version: regressions finds the change at the first job of B and names A → B; compare names both', { timeout: 600_000 }, async (t) => {
  const dir = await scaffold('slowed')
  const { url: databaseUrl } = await tempDatabase(t)
  const spec = { workload: { id: 'acme/slowed', params: { n: 100_000 } }, executors: ['serialized'], tasks: 2, repetitions: 3, warmup: 1 }
  const series = async (app: FastifyInstance, count: number): Promise<string[]> => {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const job = await submit(app, spec)
      assert.equal((await waitFor(app, job.id)).status, 'finished')
      ids.push(job.id)
    }
    return ids
  }

  const a = await build(t, { WORKLOADS: dir }, { databaseUrl })
  const versionA = (await listed(a.app, 'acme/slowed')).version
  const onA = await series(a.app, 6)
  await a.app.close()

  // Version B draws the same numbers 20 times over: the same checksum, 20 times the work. A slowdown
  // this large stays plain on a loaded CI machine, where run walls vary by 2× (seen at load 15 on 2 cores).
  const module = join(dir, 'slowed.mjs')
  writeFileSync(module, readFileSync(module, 'utf8').replace('    const next = xorshift32()\n    let sum = 0\n    for (let i = 0; i < n; i++)', '    let next, sum\n    for (let round = 0; round < 20; round++) for (next = xorshift32(), sum = 0, i = 0; i < n; i++)').replace('  run ({ n }, task) {', '  run ({ n }, task) {\n    let i'))
  const b = await listening(t, { WORKLOADS: dir }, { databaseUrl })
  const versionB = (await listed(b.app, 'acme/slowed')).version
  assert.notEqual(versionB, versionA)
  const onB = await series(b.app, 6)
  const firstB = onB[0] as string

  const rows = await cli(b.url, ['regressions', '--json'])
  assert.equal(rows.code, 0, rows.err)
  const found = JSON.parse(rows.out).changePoints as Array<{ jobId: string, version: string, previousVersion: string, worse: boolean }>
  const walls = async (): Promise<string> => JSON.stringify((await b.app.inject(`/api/history?specHash=${(await b.app.inject(`/api/jobs/${firstB}`)).json().specHash as string}&executor=serialized`)).json().points.map((p: { value: number, version: string }) => `${p.version}: ${p.value}`))
  assert.equal(found.length, 1, `${rows.out}\nmedian walls: ${await walls()}`)
  assert.deepEqual({ ...found[0] && { jobId: found[0].jobId, version: found[0].version, previousVersion: found[0].previousVersion, worse: found[0].worse } }, { jobId: firstB, version: versionB, previousVersion: versionA, worse: true })
  const table = await cli(b.url, ['regressions'])
  assert.ok(table.out.includes(`${versionA} → ${versionB}`), table.out)

  const cmp = await cli(b.url, ['compare', onB[5] as string, onA[0] as string])
  assert.ok(cmp.out.includes(`note: the jobs ran different versions of workload acme/slowed: ${versionB} vs ${versionA} (the baseline)`), cmp.out)
})
