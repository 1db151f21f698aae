// The dashboard's history chart marks the change points GET /api/history finds (real Chromium).
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { build } from '../helpers/app.js'
import { levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'
import { buildDashboard, launch, watchConsole } from './browser.js'

before(buildDashboard)

test('history chart: a slowdown is ringed as a change point and named under the chart', { timeout: 120_000 }, async (t) => {
  const { url: databaseUrl, seeded: jobs } = await seededDatabase(t, async store => await seedHistory(store, levels([8, 100], [8, 130])))
  const context = await launch(t)
  const { app } = await build(t, {}, { databaseUrl, runner: 'off' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const page = context.pages()[0] ?? await context.newPage()
  const { problems } = watchConsole(page)
  const last = jobs.at(-1)?.id as string
  const changed = jobs[8]?.id as string

  await page.goto(`${base}/#/jobs/${last}/compare`)
  await page.locator('#history-chart canvas').waitFor()
  assert.equal(await page.locator('#history-chart').getAttribute('data-points'), '16')
  assert.equal(await page.locator('#history-chart').getAttribute('data-change-points'), '1')
  const note = await page.locator('#change-points').textContent() ?? ''
  assert.match(note, new RegExp(`^Change points \\(ringed in red\\): ${changed} worse \\+(29|3\\d)\\.\\d % \\((100|50)\\.\\d\\d → \\d+\\.\\d\\d\\)$`))
  assert.deepEqual(problems, [])
})
