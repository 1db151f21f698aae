import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'
import { testHost } from '../jobs/fakes.js'

// A report is about the machine that measured the job (job.hostId), which in team mode is a
// benchmark host, not the machine whose API serves the report.
const bench = testHost('h_bench_host', { hostname: 'bench-7', cpuModel: 'Bench CPU 9000', logicalCores: 96, usableCores: 96 })

test('the report names the host that ran the job, not the API\'s; a job that never ran names none', async (t) => {
  const { url, seeded } = await seededDatabase(t, async (store) => {
    await store.upsertHost(bench)
    const ran = await seedJob(store, { status: 'finished', walls: { 'serialized/1': [100, 101, 102], 'threaded/2': [50, 51, 52] } })
    await store.updateJob(ran.id, { hostId: bench.id })
    const queued = await seedJob(store, { status: 'queued' })
    return { ran, queued }
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  assert.notEqual(app.host.id, bench.id, 'the API runs on another machine than the job did')

  const json = JSON.parse((await app.inject(`/api/jobs/${seeded.ran.id}/report?format=json`)).body)
  assert.equal(json.job.hostId, bench.id)
  assert.deepEqual(json.host, bench)

  const md = (await app.inject(`/api/jobs/${seeded.ran.id}/report?format=md`)).body
  assert.match(md, / · on bench-7 \(Bench CPU 9000\) · status \*\*finished\*\*\n\nHost: 96 usable cores · /)

  const csv = (await app.inject(`/api/jobs/${seeded.ran.id}/report?format=csv`)).body.split('\r\n')
  const header = (csv[0] ?? '').split(',')
  const row = (csv[1] ?? '').split(',')
  assert.deepEqual(header.slice(-4), ['host_id', 'host_name', 'host_cpu_model', 'host_usable_cores'])
  assert.deepEqual(row.slice(-4), [bench.id, 'bench-7', 'Bench CPU 9000', '96'])
  const neverCsv = (await app.inject(`/api/jobs/${seeded.queued.id}/report?format=csv`)).body.split('\r\n')
  assert.equal(neverCsv[0], csv[0], 'one header for every job')

  const never = await app.inject(`/api/jobs/${seeded.queued.id}/report?format=json`)
  assert.equal(JSON.parse(never.body).host, null)
  assert.doesNotMatch((await app.inject(`/api/jobs/${seeded.queued.id}/report?format=md`)).body, / · on /)
})
