// Issue 17 in the dashboard (real Chromium): the submit form lists a package workload a runner
// registered with its source and version (an unavailable one disabled, with the reason); a job page
// shows the versions it ran; the history names the version a change began with.
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { JobVersions, WorkloadDescription } from '../../src/schemas/workload.js'
import { build } from '../helpers/app.js'
import { levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'
import { buildDashboard, launch, watchConsole } from './browser.js'

before(buildDashboard)

const on = (version: string): JobVersions => ({ workload: { id: 'acme/resize', version, source: './bench-workloads' }, node: '20.20.2', python: null, corebench: '0.1.0' })
const resize: WorkloadDescription = {
  id: 'acme/resize', kind: 'cpu', description: 'Resizes a generated image.', params: { type: 'object', properties: { px: { type: 'integer', minimum: 1, maximum: 4096, default: 512 } }, additionalProperties: false },
  defaults: { px: 512 }, sharedMemory: false, version: '1.0.1+bbbbbbbbbbbb', source: './bench-workloads', deterministic: true, runtimes: ['node']
}

test('dashboard: package workloads in the form with source and version, versions on the job page, the version a change began with', { timeout: 120_000 }, async (t) => {
  const { url: databaseUrl, seeded: jobs } = await seededDatabase(t, async store => {
    const series = levels([6, 100], [6, 150])
    return [...await seedHistory(store, series.slice(0, 6), { versions: on('1.0.0+aaaaaaaaaaaa') }), ...await seedHistory(store, series.slice(6), { versions: on('1.0.1+bbbbbbbbbbbb') })]
  })
  const context = await launch(t)
  const { app } = await build(t, {}, { databaseUrl, runner: 'off' })
  const at = new Date()
  await app.store.claimMachine({ machineId: 'm_lab', runnerId: 'r_lab', name: 'lab', pid: 1, hostId: app.host.id, labels: [], runtimes: ['node'], workloads: { loaded: [resize], unavailable: [{ source: './bench-workloads', file: '/srv/bw/broken.mjs', id: 'acme/broken', reason: '/srv/bw/broken.mjs: throws on import: Error: nope' }] }, startedAt: at, heartbeatAt: at, releasedAt: null }, () => false)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const page = context.pages()[0] ?? await context.newPage()
  const { problems } = watchConsole(page)

  await page.goto(`${base}/#/submit`)
  const option = page.locator('#f-workload option[value="acme/resize"]')
  await option.waitFor({ state: 'attached' })
  assert.match(await option.textContent() ?? '', /^acme\/resize \(cpu.*\) — \.\/bench-workloads 1\.0\.1\+bbbbbbbbbbbb$/)
  assert.equal(await page.locator('#f-workload option[value="acme/broken"]').getAttribute('disabled'), '')
  await page.locator('#f-workload').selectOption('acme/resize')
  assert.equal(await page.locator('#workload-desc').textContent(), 'Resizes a generated image. From ./bench-workloads, version 1.0.1+bbbbbbbbbbbb; on runner lab.')

  const firstB = jobs[6]?.id as string
  await page.goto(`${base}/#/jobs/${firstB}`)
  assert.equal(await page.locator('#job-versions').textContent(), 'acme/resize 1.0.1+bbbbbbbbbbbb (./bench-workloads) · Node 20.20.2 · corebench 0.1.0')

  await page.goto(`${base}/#/jobs/${jobs.at(-1)?.id as string}/compare`)
  await page.locator('#history-chart canvas').waitFor()
  const note = await page.locator('#change-points').textContent() ?? ''
  assert.ok(note.includes(`${firstB} worse`), note)
  assert.ok(note.endsWith(' · began with workload version 1.0.1+bbbbbbbbbbbb (was 1.0.0+aaaaaaaaaaaa)'), note)
  assert.deepEqual(problems, [])
})
