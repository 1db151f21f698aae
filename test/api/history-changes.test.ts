import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CANARY_KERNEL } from '../../src/executors/canary.js'
import { build } from '../helpers/app.js'
import { jobsAt, levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'
import { testHost } from '../jobs/fakes.js'
import type { JobRecord } from '../../src/store/types.js'

test('GET /api/history returns the change point of a slowdown: index, job, medians, magnitude, probability', async (t) => {
  // 10 jobs at 100 ms, then 10 at 130 ms: job 10 is the first one after the change.
  const { url, seeded: jobs } = await seededDatabase(t, async store => await seedHistory(store, levels([10, 100], [10, 130])))
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const res = await app.inject(`/api/history?specHash=${jobs[0]?.specHash}&executor=serialized`)
  assert.equal(res.statusCode, 200, res.body)
  const h = res.json()
  assert.equal(h.points.length, 20)
  assert.equal(h.changePoints.length, 1, JSON.stringify(h.changePoints))
  const [c] = h.changePoints
  assert.equal(c.index, 10)
  assert.equal(c.jobId, jobs[10]?.id)
  assert.equal(c.jobId, h.points[10].jobId)
  assert.ok(Math.abs(c.beforeMedian - 100) < 2 && Math.abs(c.afterMedian - 130) < 3, `${c.beforeMedian} → ${c.afterMedian}`)
  assert.ok(Math.abs(c.magnitude - 0.3) < 0.04, String(c.magnitude))
  assert.ok(c.probability <= 0.01)
  assert.equal(c.worse, true, 'a longer wall time is a change for the worse')

  // The same history read as speedup: threaded/2 halves each wall, so speedup stays ~2: no change.
  const speedup = (await app.inject(`/api/history?specHash=${jobs[0]?.specHash}&executor=threaded&workers=2&metric=speedup`)).json()
  assert.deepEqual(speedup.changePoints, [])
})

test('a faster history is a change for the better; a flat one has none', async (t) => {
  const { url, seeded } = await seededDatabase(t, async store => ({
    faster: await seedHistory(store, levels([8, 200], [8, 150]), { name: 'faster', workload: 'fibonacci' }),
    flat: await seedHistory(store, levels([12, 100]), { name: 'flat' })
  }))
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const faster = (await app.inject(`/api/history?specHash=${seeded.faster[0]?.specHash}&executor=serialized`)).json()
  assert.equal(faster.changePoints.length, 1, JSON.stringify(faster.changePoints))
  assert.equal(faster.changePoints[0].index, 8)
  assert.equal(faster.changePoints[0].worse, false)
  const flat = (await app.inject(`/api/history?specHash=${seeded.flat[0]?.specHash}&executor=serialized`)).json()
  assert.equal(flat.points.length, 12)
  assert.deepEqual(flat.changePoints, [])
})

test('a comparison knows what whole jobs of its spec vary by, and says when it cannot know it', async (t) => {
  const host = testHost('0123456789abcdef')
  const { url, seeded } = await seededDatabase(t, async store => {
    await store.upsertHost(host)
    return {
      // Each job steady in itself, but from job to job the median moves by up to 40 %.
      noisy: await seedHistory(store, jobsAt(100, 135, 80, 120, 90, 140, 135), { name: 'noisy', workload: 'sleep', hostId: host.id }),
      steady: await seedHistory(store, jobsAt(100, 101, 99, 100.5, 99.5, 100, 135), { name: 'steady', workload: 'fibonacci', hostId: host.id }),
      pair: await seedHistory(store, jobsAt(100, 135), { name: 'pair', workload: 'sum-range', hostId: host.id }),
      // The canary ran 30 % longer during the second job than during the first.
      canary: [
        ...await seedHistory(store, jobsAt(100), { name: 'canary', workload: 'hash', canaryMs: 10, hostId: host.id }),
        ...await seedHistory(store, jobsAt(130), { name: 'canary', workload: 'hash', canaryMs: 13, hostId: host.id })
      ],
      // A job timed with another canary kernel than the baseline's: its readings (a third) mean nothing against them.
      kernel: [
        ...await seedHistory(store, jobsAt(100), { name: 'kernel', workload: 'primes', canaryMs: 0.75, hostId: host.id }),
        ...await seedHistory(store, jobsAt(100), { name: 'kernel', workload: 'primes', canaryMs: 0.25, hostId: host.id, versions: { workload: { id: 'primes', version: '1', source: 'builtin' }, node: '20.20.2', python: null, corebench: '0.1.0', canary: CANARY_KERNEL } })
      ]
    }
  })
  const { app } = await build(t, {}, { databaseUrl: url, runner: 'off' })
  const compare = async (jobs: JobRecord[]): Promise<any> => {
    const res = await app.inject(`/api/jobs/${jobs.at(-1)?.id}/compare/${jobs[0]?.id}`)
    assert.equal(res.statusCode, 200, res.body)
    return res.json()
  }

  // The runs alone say +35 % with p < 0.01; six earlier jobs say jobs of this spec differ that much.
  const noisy = await compare(seeded.noisy)
  const [n] = noisy.cells
  assert.ok(n.pMannWhitney < 0.01, String(n.pMannWhitney))
  assert.equal(n.verdict, 'inconclusive', n.reason)
  assert.equal(n.ciBasis, 'jobs')
  assert.equal(n.spreadJobs, 6)
  assert.ok(n.jobSpreadPct > 15 && n.jobSpreadPct < 30, String(n.jobSpreadPct))
  assert.ok(n.changeCi95[0] < 0 && n.changeCi95[1] > 100, String(n.changeCi95))
  assert.match(n.reason, /whole jobs of this spec on this host vary that much/)

  // The same +35 % against a history that holds still is a slowdown.
  const steady = await compare(seeded.steady)
  const [s] = steady.cells
  assert.equal(s.verdict, 'slower', s.reason)
  assert.equal(s.spreadJobs, 6)
  assert.ok(s.jobSpreadPct < 1.5, String(s.jobSpreadPct))
  assert.ok(!steady.notes.some((note: string) => /job-to-job spread/.test(note)), steady.notes.join('\n'))

  // Two jobs and nothing else: the verdict rests on the runs, and the note says what that leaves out.
  const pair = await compare(seeded.pair)
  assert.equal(pair.cells[0].verdict, 'slower', pair.cells[0].reason)
  assert.equal(pair.cells[0].ciBasis, 'runs')
  assert.equal(pair.cells[0].jobSpreadPct, null)
  assert.ok(pair.notes.some((note: string) => /job-to-job spread is not known for any cell \(1 earlier finished job/.test(note)), pair.notes.join('\n'))
  assert.equal(pair.canaryChangePct, null, 'seeded runs without a canary have no canary change')
  const canary = await compare(seeded.canary)
  assert.ok(Math.abs(canary.canaryChangePct - 30) < 1e-9, String(canary.canaryChangePct))
  assert.ok(canary.notes.some((note: string) => /canary .* took 30 % longer in this job than in the baseline: the machine itself ran slower/.test(note)), canary.notes.join('\n'))
  const kernel = await compare(seeded.kernel)
  assert.equal(kernel.canaryChangePct, null)
  assert.ok(!kernel.notes.some((note: string) => /canary/.test(note)), kernel.notes.join('\n'))
  // A job against itself needs no spread: one sample, no note.
  const self = (await app.inject(`/api/jobs/${seeded.pair[0]?.id}/compare/${seeded.pair[0]?.id}`)).json()
  assert.ok(!self.notes.some((note: string) => /job-to-job/.test(note)), self.notes.join('\n'))
  assert.equal(self.cells[0].verdict, 'same')
})
