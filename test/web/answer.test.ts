// The plain answer and the glossary tooltips on a finished job's page, in a real Chromium against a
// real app: the answer the API gives is the one shown, every summary heading carries its glossary
// entry, the chart's ideal line bends at the core count, and the report opens in the browser.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { GLOSSARY } from '../../web/src/glossary.js'
import { build } from '../helpers/app.js'
import { submit, waitFor } from '../helpers/jobs.js'
import { buildDashboard, launch, shots, watchConsole } from './browser.js'

before(buildDashboard)

test('job page: the plain answer, a glossary tooltip on every figure, reports that open in the browser', { timeout: 120_000 }, async (t) => {
  const context = await launch(t)
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const { id } = await submit(app, { workload: { id: 'fibonacci', params: { n: 20 } }, tasks: 8, executors: ['serialized', 'async', 'threaded'], workers: [1, 2], repetitions: 2, warmup: 0 })
  const job = await waitFor(app, id)
  assert.equal(job.status, 'finished', job.error)
  assert.equal(typeof job.answer, 'string', 'the API view carries the answer')
  assert.match(job.answer, /threads/)

  const page = context.pages()[0] ?? await context.newPage()
  const { problems } = watchConsole(page)
  await page.goto(`${base}/#/jobs/${id}`)
  const answer = page.locator('#job-answer-text')
  await answer.filter({ hasText: /./ }).waitFor()
  assert.equal(await answer.textContent(), job.answer)
  assert.equal(await page.locator('#answer-title').textContent(), 'Answer')

  // Every column heading but the cell's own explains itself with its glossary entry.
  const titles = await page.locator('#summary-table thead th').evaluateAll(ths => ths.map(th => ({ text: th.textContent, title: th.getAttribute('title') })))
  assert.ok(titles.length >= 11)
  const entries = new Set<string>(Object.values(GLOSSARY))
  for (const th of titles.slice(1)) assert.ok(th.title !== null && entries.has(th.title), `${th.text ?? ''} has no glossary tooltip`)
  assert.match(titles.map(th => th.text).join('|'), /Busy cores of \d+\|Task slowdown/)

  // The report: a link that opens it in a new tab, and a download link beside it.
  const view = page.locator('a.report-view', { hasText: 'md' })
  assert.equal(await view.getAttribute('target'), '_blank')
  const opened = await (await fetch(new URL(await view.getAttribute('href') as string, base))).text()
  assert.match(opened, /\*\*Answer\.\*\* /)
  assert.equal(await page.locator('a.report-link[download]').count(), 3)
  await page.screenshot({ path: join(shots, 'dashboard-answer-laptop.png'), fullPage: true })
  assert.deepEqual(problems, [])
})
