// Issue 17: one spec across a changed workload version. History points carry the version, the change
// point names where it began (A → B), `corebench regressions` shows it, and a comparison of a job on
// A with one on B names both. (The same series through real runners: test/jobs/workload-packages-e2e.)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { JobVersions } from '../../src/schemas/workload.js'
import { cli, listening, oneLine } from '../helpers/cli.js'
import { levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'

const on = (version: string): JobVersions => ({ workload: { id: 'acme/resize', version, source: './bench-workloads' }, node: '20.20.2', python: null, corebench: '0.1.0' })
const A = '1.0.0+aaaaaaaaaaaa'
const B = '1.0.1+bbbbbbbbbbbb'

test('a slowed workload version: history, regressions and compare name both versions, the change at the first job of B', { timeout: 120_000 }, async (t) => {
  const series = levels([6, 100], [6, 150])
  const { url: databaseUrl, seeded } = await seededDatabase(t, async store => [
    ...await seedHistory(store, series.slice(0, 6), { name: 'resize', versions: on(A) }),
    ...await seedHistory(store, series.slice(6), { name: 'resize', versions: on(B) })
  ])
  const { app, url } = await listening(t, {}, { databaseUrl })
  const firstB = seeded[6]?.id as string
  const specHash = seeded[0]?.specHash as string
  assert.equal(seeded[11]?.specHash, specHash, 'the version is not part of the spec: one series')

  const job = (await app.inject(`/api/jobs/${firstB}`)).json()
  assert.deepEqual(job.versions, on(B))

  const h = (await app.inject(`/api/history?specHash=${specHash}&executor=serialized`)).json()
  assert.deepEqual(h.points.map((p: { version: string }) => p.version), [...Array(6).fill(A), ...Array(6).fill(B)])
  assert.equal(h.changePoints.length, 1, JSON.stringify(h.changePoints))
  assert.equal(h.changePoints[0].jobId, firstB)
  assert.equal(h.changePoints[0].version, B)
  assert.equal(h.changePoints[0].previousVersion, A)

  const list = await cli(url, ['regressions'])
  assert.equal(list.code, 0, list.err)
  assert.match(list.out, new RegExp(`resize +serialized/1 +${firstB} .* ${A.replace('+', '\\+')} → ${B.replace('+', '\\+')} .* slower$`, 'm'))
  const gate = await cli(url, ['regressions', '--fail-on', 'slower'])
  assert.equal(gate.code, 1)
  oneLine(gate.err, new RegExp(`at ${firstB} \\(workload ${A.replace('+', '\\+')} → ${B.replace('+', '\\+')}\\)`))

  // `corebench workloads` names where a package workload comes from once a runner published one.
  assert.doesNotMatch((await cli(url, ['workloads'])).out, /source and version/)
  const at = new Date()
  const published = { id: 'acme/resize', kind: 'cpu' as const, description: 'Resizes.', params: { type: 'object', properties: {} }, defaults: {}, sharedMemory: false, version: B, source: './bench-workloads', deterministic: true, runtimes: ['node' as const] }
  await app.store.claimMachine({ machineId: 'm_lab', runnerId: 'r_lab', name: 'lab', pid: 1, hostId: app.host.id, labels: [], runtimes: ['node'], workloads: { loaded: [published], unavailable: [] }, startedAt: at, heartbeatAt: at, releasedAt: null }, () => false)
  const listed = await cli(url, ['workloads'])
  assert.match(listed.out, /^workload +kind +source and version +params/m)
  assert.match(listed.out, new RegExp(`^acme/resize +cpu +\\./bench-workloads ${B.replace('+', '\\+')} `, 'm'))
  assert.match(listed.out, /^fibonacci +cpu +builtin /m)

  const cmp = (await app.inject(`/api/jobs/${seeded[11]?.id as string}/compare/${seeded[0]?.id as string}`)).json()
  assert.equal(cmp.job.workloadVersion, B)
  assert.equal(cmp.baseline.workloadVersion, A)
  assert.ok(cmp.notes.includes(`the jobs ran different versions of workload sleep: ${B} vs ${A} (the baseline): a difference may be the workload's code`), cmp.notes.join('\n'))
  const compare = await cli(url, ['compare', seeded[11]?.id as string, seeded[0]?.id as string])
  assert.match(compare.out, new RegExp(`note: the jobs ran different versions of workload sleep: ${B.replace('+', '\\+')} vs ${A.replace('+', '\\+')}`))
})
