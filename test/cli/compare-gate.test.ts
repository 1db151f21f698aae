import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cli, listening, oneLine } from '../helpers/cli.js'
import { slowSpec, submit, waitFor } from '../helpers/jobs.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'

// Issue 15 §1: a CI gate must not pass when the benchmark broke. The exit code and the API's
// fields follow whether anything was compared and decided, never only the prose.

test('compare --baseline --fail-on slower: a failed job is "nothing to compare", exit 2 (issue 15 §1 case)', { timeout: 120_000 }, async (t) => {
  const { app, url } = await listening(t)
  const spec = { workload: { id: 'sleep', params: { ms: 150 } }, tasks: 4, executors: ['serialized', 'threaded'], workers: [2], repetitions: 3, taskTimeoutMs: 5000 }
  const base = await submit(app, spec)
  assert.equal((await waitFor(app, base.id)).status, 'finished')
  const hash = (await app.inject(`/api/jobs/${base.id}`)).json().specHash as string
  assert.equal((await app.inject({ method: 'PUT', url: `/api/baselines/${hash}`, payload: { jobId: base.id } })).statusCode, 200)
  const broken = await submit(app, { ...spec, taskTimeoutMs: 100 })
  assert.equal((await waitFor(app, broken.id)).status, 'failed')

  const api = (await app.inject(`/api/jobs/${broken.id}/compare/baseline`)).json()
  assert.equal(api.comparable, false)
  assert.equal(api.reason, `job ${broken.id} is failed`)
  assert.equal(api.decided, false)
  assert.equal(api.job.status, 'failed')
  assert.deepEqual(api.counts, { faster: 0, slower: 0, same: 0, inconclusive: 0 })

  const run = await cli(url, ['compare', broken.id, '--baseline', '--fail-on', 'slower'])
  assert.equal(run.code, 2, run.out + run.err)
  oneLine(run.err, new RegExp(`^corebench: nothing to compare: job ${broken.id} is failed$`))
  // Without a gate as well: a comparison that compared nothing is not a success.
  assert.equal((await cli(url, ['compare', broken.id, base.id, '--json'])).code, 2)
})

test('compare: a running job or a baseline that is not finished is "nothing to compare", exit 2', { timeout: 60_000 }, async (t) => {
  const { url: databaseUrl, seeded } = await seededDatabase(t, async (store) => ({
    finished: await seedJob(store, { status: 'finished', walls: { 'serialized/1': [100, 101, 102] } }),
    cancelled: await seedJob(store, { status: 'cancelled', walls: { 'serialized/1': [100, 101, 102] } })
  }))
  const { app, url } = await listening(t, {}, { databaseUrl })
  const running = await submit(app, slowSpec)
  await waitFor(app, running.id, j => j.status === 'running')

  const live = await cli(url, ['compare', running.id, seeded.finished.id, '--fail-on', 'slower'])
  assert.equal(live.code, 2, live.out + live.err)
  oneLine(live.err, new RegExp(`^corebench: nothing to compare: job ${running.id} is running$`))

  // The baseline side counts too: cells on both sides, but the baseline was cancelled midway.
  const api = (await app.inject(`/api/jobs/${seeded.finished.id}/compare/${seeded.cancelled.id}`)).json()
  assert.equal(api.cells.length, 1)
  assert.equal(api.comparable, false)
  assert.equal(api.reason, `job ${seeded.cancelled.id} is cancelled`)
  const cancelled = await cli(url, ['compare', seeded.finished.id, seeded.cancelled.id, '--fail-on', 'slower'])
  assert.equal(cancelled.code, 2)
  oneLine(cancelled.err, /nothing to compare: job j_\S+ is cancelled$/)
  // Cancelled here rather than by the app's close, whose runner would otherwise wait on the sleeping task.
  assert.equal((await app.inject({ method: 'POST', url: `/api/jobs/${running.id}/cancel` })).statusCode, 202)
  await waitFor(app, running.id)
})

test('compare: no cell measured on both sides is "nothing to compare"; all inconclusive says loudly that nothing was decided', async (t) => {
  const { url: databaseUrl, seeded } = await seededDatabase(t, async (store) => ({
    base: await seedJob(store, { status: 'finished', walls: { 'serialized/1': [100, 101, 102], 'threaded/2': [50, 51, 52] } }),
    // Finished, but every recorded run of one cell failed and the other cell has too few runs.
    noRuns: await seedJob(store, { status: 'finished', walls: { 'serialized/1': [null, null, null] } }),
    twoRuns: await seedJob(store, { status: 'finished', walls: { 'serialized/1': [100, 101], 'threaded/2': [200, 201] } })
  }))
  const { app, url } = await listening(t, {}, { databaseUrl })

  const empty = (await app.inject(`/api/jobs/${seeded.noRuns.id}/compare/${seeded.base.id}`)).json()
  assert.equal(empty.comparable, false)
  assert.match(empty.reason, /^no cell has successful recorded runs in both jobs/)
  const none = await cli(url, ['compare', seeded.noRuns.id, seeded.base.id, '--fail-on', 'slower'])
  assert.equal(none.code, 2, none.out + none.err)
  oneLine(none.err, /^corebench: nothing to compare: no cell has successful recorded runs in both jobs/)

  // Two repetitions per cell are too few for any verdict: comparable, but nothing decided.
  const undecided = (await app.inject(`/api/jobs/${seeded.twoRuns.id}/compare/${seeded.base.id}`)).json()
  assert.deepEqual({ comparable: undecided.comparable, reason: undecided.reason, decided: undecided.decided, counts: undecided.counts },
    { comparable: true, reason: null, decided: false, counts: { faster: 0, slower: 0, same: 0, inconclusive: 2 } })
  const slowerGate = await cli(url, ['compare', seeded.twoRuns.id, seeded.base.id, '--fail-on', 'slower'])
  assert.equal(slowerGate.code, 0, slowerGate.err)
  oneLine(slowerGate.err, /^corebench: NOTHING WAS DECIDED: all 2 cells are inconclusive/)
  const strict = await cli(url, ['compare', seeded.twoRuns.id, seeded.base.id, '--fail-on', 'inconclusive'])
  assert.equal(strict.code, 1, strict.err)
  assert.match(strict.err, new RegExp(`^corebench: 2 of 2 cells inconclusive against baseline ${seeded.base.id}: serialized/1 `, 'm'))
  assert.equal((await cli(url, ['compare', seeded.twoRuns.id, seeded.base.id, '--fail-on', 'slower,inconclusive'])).code, 1)
  const bad = await cli(url, ['compare', seeded.twoRuns.id, seeded.base.id, '--fail-on', 'faster'])
  assert.equal(bad.code, 2)
  oneLine(bad.err, /expected slower or inconclusive.*\(EUSAGE\)$/)

  // A decided comparison carries decided: true, and the gate stays quiet.
  const same = (await app.inject(`/api/jobs/${seeded.base.id}/compare/${seeded.base.id}`)).json()
  assert.deepEqual({ comparable: same.comparable, decided: same.decided, counts: same.counts }, { comparable: true, decided: true, counts: { faster: 0, slower: 0, same: 2, inconclusive: 0 } })
  const quiet = await cli(url, ['compare', seeded.base.id, seeded.base.id, '--fail-on', 'slower,inconclusive'])
  assert.equal(quiet.code, 0)
  assert.equal(quiet.err, '')
  assert.match(quiet.out, /^cell +baseline +current +change +95 % CI +p \(Welch\) +p \(M–W\) +verdict$/m)
  assert.match(quiet.out, /^threaded\/2 +51\.0 ms +51\.0 ms +\+0\.0 % .* same$/m)
  assert.match(quiet.out, /^verdict: same$/m)
})
