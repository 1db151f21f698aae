import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'

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
