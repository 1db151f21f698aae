// Edge cases of the job-to-job spread in GET /api/jobs/:id/compare/:other (src/api/history.ts
// earlierMedians, src/stats/compare-jobs.ts): which earlier jobs count, and what the notes say.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { JobVersions } from '../../src/schemas/workload.js'
import { build } from '../helpers/app.js'
import { jobsAt, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'
import { testHost } from '../jobs/fakes.js'

const on = (version: string): JobVersions => ({ workload: { id: 'acme/w', version, source: './w' }, node: '20.20.2', python: null, corebench: '0.1.0' })
const spreadNote = (notes: string[]): string | undefined => notes.find(n => /job-to-job spread/.test(n))

test('the spread of the baseline\'s version is found behind many newer jobs of another version', async (t) => {
  const host = testHost('0123456789abcdef')
  const { url, seeded } = await seededDatabase(t, async store => {
    await store.upsertHost(host)
    // Six jobs of version A that vary by ~20 % from job to job, then 25 of version B.
    return [...await seedHistory(store, jobsAt(100, 135, 80, 120, 90, 140), { versions: on('A'), hostId: host.id }), ...await seedHistory(store, jobsAt(...Array(25).fill(135)), { versions: on('B'), hostId: host.id })]
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const cmp = (await app.inject(`/api/jobs/${seeded.at(-1)?.id}/compare/${seeded[0]?.id}`)).json()
  const [c] = cmp.cells
  assert.equal(c.spreadJobs, 6, spreadNote(cmp.notes))
  assert.equal(c.ciBasis, 'jobs')
  assert.equal(c.verdict, 'inconclusive', c.reason)
})

test('jobs on different hosts: the note says the spread does not apply, not that no earlier job exists', async (t) => {
  const [host, other] = [testHost('0123456789abcdef'), testHost('fedcba9876543210')]
  const { url, seeded } = await seededDatabase(t, async store => {
    await store.upsertHost(host)
    await store.upsertHost(other)
    const jobs = await seedHistory(store, jobsAt(100, 135, 80, 120, 90, 140))
    for (const j of jobs) await store.updateJob(j.id, { hostId: (j === jobs.at(-1) ? other : host).id })
    return jobs
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const cmp = (await app.inject(`/api/jobs/${seeded.at(-1)?.id}/compare/${seeded[0]?.id}`)).json()
  const note = spreadNote(cmp.notes) ?? ''
  assert.doesNotMatch(note, /0 earlier finished jobs/)
  assert.match(note, /different hosts/)
})

test('earlier jobs whose cell median is 0 give no spread and are not counted as if they did', async (t) => {
  const host = testHost('0123456789abcdef')
  const { url, seeded } = await seededDatabase(t, async store => {
    await store.upsertHost(host)
    return await seedHistory(store, jobsAt(0, 0, 0, 100, 135), { hostId: host.id })
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const cmp = (await app.inject(`/api/jobs/${seeded.at(-1)?.id}/compare/${seeded[3]?.id}`)).json()
  assert.equal(cmp.cells[0].jobSpreadPct, null)
  assert.equal(cmp.cells[0].spreadJobs, 1)
  assert.match(spreadNote(cmp.notes) ?? '', /\(1 earlier finished job /)
})

test('two distinct jobs with identical runs are not "same" when whole jobs vary more than the threshold', async (t) => {
  const host = testHost('0123456789abcdef')
  const { url, seeded } = await seededDatabase(t, async store => {
    await store.upsertHost(host)
    return await seedHistory(store, jobsAt(100, 135, 80, 120, 90, 100), { hostId: host.id })
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const [c] = (await app.inject(`/api/jobs/${seeded.at(-1)?.id}/compare/${seeded[0]?.id}`)).json().cells
  assert.equal(c.changePct, 0)
  assert.equal(c.ciBasis, 'jobs')
  assert.equal(c.verdict, 'inconclusive', c.reason)
})
