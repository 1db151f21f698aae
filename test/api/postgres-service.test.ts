import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'

// The whole service on PostgreSQL (DATABASE_URL=postgres://…), through its public surface: the same
// routes, the same answers as on SQLite. Team mode's several processes are tested elsewhere.

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

test('on PostgreSQL: submit → run → stored runs and summary, tag filter, history, compare and reports', async (t) => {
  const { app } = await build(t, {}, { databaseUrl: await cluster.database(t) })
  const first = await submit(app, { ...quickSpec, tags: { branch: 'main' } })
  const done = await waitFor(app, first.id)
  assert.equal(done.status, 'finished', JSON.stringify(done.error))
  assert.ok(done.runs.length > 0, 'runs stored')
  assert.ok(done.summary !== null, 'summary stored')

  const second = await submit(app, { ...quickSpec, tags: { branch: 'main' } })
  assert.equal((await waitFor(app, second.id)).status, 'finished')
  const history = await app.inject(`/api/history?specHash=${done.specHash}&executor=threaded&workers=1`)
  assert.equal(history.statusCode, 200, history.body)
  assert.equal(history.json().points.length, 2)
  const listed = (await app.inject('/api/jobs?tag=branch:main')).json()
  assert.deepEqual(listed.items.map((j: { id: string }) => j.id).sort(), [first.id, second.id].sort())
  const compare = await app.inject(`/api/jobs/${second.id}/compare/${first.id}`)
  assert.equal(compare.statusCode, 200, compare.body)
  for (const format of ['json', 'csv', 'md']) {
    const report = await app.inject(`/api/jobs/${second.id}/report?format=${format}`)
    assert.equal(report.statusCode, 200, `${format}: ${report.body.slice(0, 200)}`)
  }
})
