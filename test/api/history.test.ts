import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { fibSpec, finishedJob } from '../helpers/jobs.js'

// Waits, not computation: a wait has a floor that no load can lower. fib(30) against fib(25) (11× the
// calls) still came out "inconclusive" in CI with another test file beside it (threaded/1 +279 %,
// Mann–Whitney p = 0.041, 95 % CI −11 % … +750 %): a file beside it slowed some fib(25) runs as far as
// fib(30)'s. Tasks of 2 ms against 50 ms leave a 25× gap; each job takes ~3 s.
const sleepSpec = (ms: number): Record<string, unknown> => ({ workload: { id: 'sleep', params: { ms } }, tasks: 4, executors: ['serialized', 'threaded'], workers: [1], repetitions: 6, warmup: 0 })

test('tasks of 50 ms against 2 ms compare as slower in every cell, with p < 0.05, and say the specs differ', async (t) => {
  const { app } = await build(t)
  const base = await finishedJob(app, sleepSpec(2))
  const slow = await finishedJob(app, sleepSpec(50))
  const res = await app.inject(`/api/jobs/${slow.id}/compare/${base.id}`)
  assert.equal(res.statusCode, 200, res.body)
  const cmp = res.json()
  assert.equal(cmp.sameSpec, false)
  assert.equal(cmp.sameHost, true)
  assert.ok(cmp.notes.some((n: string) => /different specs/.test(n)))
  assert.equal(cmp.cells.length, 2)
  for (const c of cmp.cells) {
    assert.equal(c.verdict, 'slower', `${c.key}: ${c.reason}`)
    assert.ok(c.changePct > 100, `${c.key} changed ${c.changePct} %`)
    assert.ok(c.pMannWhitney < 0.05 && c.pWelch < 0.05)
  }
  assert.equal(cmp.verdict, 'slower')
  // The other way round it is faster.
  assert.equal((await app.inject(`/api/jobs/${base.id}/compare/${slow.id}`)).json().verdict, 'faster')
})

test('same-spec jobs are compared as such; a job against itself is the same; a different host is said plainly', async (t) => {
  const { app } = await build(t)
  const a = await finishedJob(app, fibSpec(25))
  const b = await finishedJob(app, fibSpec(25))
  assert.equal(a.specHash, b.specHash)
  const cmp = (await app.inject(`/api/jobs/${b.id}/compare/${a.id}`)).json()
  assert.equal(cmp.sameSpec, true)
  assert.ok(!cmp.notes.some((n: string) => /different specs/.test(n)))
  const self = (await app.inject(`/api/jobs/${a.id}/compare/${a.id}`)).json()
  for (const c of self.cells) {
    assert.equal(c.verdict, 'same', `${c.key}: ${c.reason}`)
    assert.equal(c.changePct, 0)
  }

  // The same job recorded as if another machine had run it.
  await app.store.upsertHost({ ...app.host, id: 'ffffffffffffffff', hostname: 'elsewhere' })
  await app.store.updateJob(a.id, { hostId: 'ffffffffffffffff' })
  const cross = (await app.inject(`/api/jobs/${b.id}/compare/${a.id}`)).json()
  assert.equal(cross.sameHost, false)
  assert.ok(cross.notes.some((n: string) => /different hosts/.test(n)))
})

test('too few repetitions is inconclusive with the reason', async (t) => {
  const { app } = await build(t)
  const a = await finishedJob(app, fibSpec(20, { repetitions: 2 }))
  const b = await finishedJob(app, fibSpec(25, { repetitions: 2 }))
  const cmp = (await app.inject(`/api/jobs/${b.id}/compare/${a.id}`)).json()
  for (const c of cmp.cells) {
    assert.equal(c.verdict, 'inconclusive')
    assert.match(c.reason, /2/)
  }
})

test('baselines per spec, compare with the baseline, and history oldest first with the baseline marked', async (t) => {
  const { app } = await build(t)
  const jobs = [await finishedJob(app, fibSpec(20, { tags: { commit: 'a1' } })), await finishedJob(app, fibSpec(20, { tags: { commit: 'b2' } })), await finishedJob(app, fibSpec(20, { tags: { commit: 'c3' } }))]
  const hash = jobs[0].specHash
  assert.equal((await app.inject(`/api/jobs/${jobs[2].id}/compare/baseline`)).statusCode, 404)

  const put = await app.inject({ method: 'PUT', url: `/api/baselines/${hash}`, payload: { jobId: jobs[0].id } })
  assert.equal(put.statusCode, 200, put.body)
  assert.equal(put.json().jobId, jobs[0].id)
  assert.deepEqual((await app.inject('/api/baselines')).json().map((b: any) => b.jobId), [jobs[0].id])
  const vsBaseline = (await app.inject(`/api/jobs/${jobs[2].id}/compare/baseline`)).json()
  assert.equal(vsBaseline.baseline.id, jobs[0].id)

  const other = await finishedJob(app, fibSpec(21))
  const wrong = await app.inject({ method: 'PUT', url: `/api/baselines/${hash}`, payload: { jobId: other.id } })
  assert.equal(wrong.statusCode, 409)

  const hist = (await app.inject(`/api/history?specHash=${hash}&executor=threaded&workers=1&metric=medianWallMs`)).json()
  assert.equal(hist.cell, 'threaded/1')
  assert.deepEqual(hist.points.map((p: any) => p.jobId), jobs.map(j => j.id))
  assert.deepEqual(hist.points.map((p: any) => p.isBaseline), [true, false, false])
  assert.ok(hist.points.every((p: any) => p.value > 0 && p.runs === 6 && p.ci95.length === 2))
  const tagged = (await app.inject(`/api/history?specHash=${hash}&executor=serialized&metric=speedup&tag=commit:b2`)).json()
  assert.deepEqual(tagged.points.map((p: any) => [p.jobId, p.value]), [[jobs[1].id, 1]])
  assert.equal((await app.inject(`/api/history?specHash=${hash}&executor=threaded&metric=bogus`)).statusCode, 400)
})

test('a finished job carries full statistics: intervals, latencies, outlier rule and the scaling fits', async (t) => {
  const { app } = await build(t)
  const job = await finishedJob(app, { workload: { id: 'fibonacci', params: { n: 22 } }, tasks: 12, executors: ['serialized', 'threaded'], workers: [1, 2, 3], repetitions: 6, warmup: 1 })
  const s = job.summary
  const threaded2 = s.cells.find((c: any) => c.key === 'threaded/2')
  assert.ok(threaded2.medianWallCi95[0] <= threaded2.medianWallMs && threaded2.medianWallMs <= threaded2.medianWallCi95[1])
  assert.match(threaded2.ciMethod, /order statistic/i)
  assert.ok(threaded2.speedupCi95[0] <= threaded2.speedup && threaded2.speedup <= threaded2.speedupCi95[1])
  assert.match(threaded2.outlierRule, /MAD/)
  assert.ok(threaded2.latency.runMs.p50 > 0 && threaded2.latency.runMs.p50 <= threaded2.latency.runMs.p99)
  assert.ok(threaded2.latency.totalMs.p99 >= threaded2.latency.runMs.p99)
  const sweep = s.scaling.find((x: any) => x.executor === 'threaded')
  assert.deepEqual(sweep.points.map((p: any) => p.workers), [1, 2, 3])
  assert.equal(sweep.points[0].karpFlatt, null, 'Karp–Flatt is undefined at one worker')
  // Models need 3 worker counts within the usable cores: on a 2-core host they say so instead.
  const cores = (await import('../../src/host/cores.js')).usableCores()
  if (cores >= 3) {
    assert.ok(sweep.amdahl.serialFraction >= 0 && sweep.amdahl.serialFraction <= 1)
    assert.equal(sweep.usl.ok, true, JSON.stringify(sweep.usl))
  } else {
    assert.equal(sweep.amdahl, null)
    assert.match(sweep.notEnoughData, /not enough data/)
  }
  assert.ok([1, 2, 3].filter(w => w <= cores).includes(sweep.recommendedWorkers))

  const md = (await app.inject(`/api/jobs/${job.id}/report?format=md`)).body
  assert.match(md, cores >= 3 ? /Amdahl/ : /not enough data/)
  const csv = (await app.inject(`/api/jobs/${job.id}/report?format=csv`)).body
  assert.match(csv.split('\n')[0] as string, /median_ci95_low,median_ci95_high/)
})
