// The runtime axis in the dashboard, in a real Chromium against a real app with CPython: the submit
// form's runtime picker (from GET /api/host), a Node + Python job followed live to its end, its
// scaling chart with one series per runtime × executor, the tables naming the runtime, and the
// compare page's history picking a Python cell.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { build } from '../helpers/app.js'
import { waitFor } from '../helpers/jobs.js'
import { buildDashboard, launch, shots, watchConsole } from './browser.js'

before(buildDashboard)

/** What the page callbacks below touch (the test compiles without the DOM lib). */
interface Chart { data: Array<Array<number | null>>, series: Array<{ label?: string, dash?: number[] }> }
interface InPage { corebench: { charts: Record<string, Chart | undefined> } }

test('dashboard runtimes: picker from /api/host, a Node + Python job live, chart series and tables per runtime, history of a Python cell', { timeout: 120_000 }, async (t) => {
  const context = await launch(t)
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const host = (await app.inject('/api/host')).json() as { runtimes: Array<{ id: string, available: boolean, reason: string | null }> }
  assert.ok(host.runtimes.find(r => r.id === 'python')?.available, 'this test needs python3 on the host')

  const page = context.pages()[0] ?? await context.newPage()
  const { problems, state } = watchConsole(page)
  const posted: unknown[] = []
  page.on('request', (req) => { if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/jobs') posted.push(req.postDataJSON()) })

  // --- the picker: every runtime of /api/host, the unavailable ones disabled with the reason -------
  await page.goto(`${base}/#/submit`)
  await page.getByRole('heading', { level: 1, name: 'New job' }).waitFor()
  for (const r of host.runtimes) {
    const box = page.locator(`#f-runtime-${r.id}`)
    assert.equal(await box.isDisabled(), !r.available, r.id)
    if (!r.available) assert.match(await page.locator(`#hint-runtime-${r.id}`).textContent() ?? '', /^not available: /)
  }
  assert.equal(await page.locator('#f-runtime-node').isChecked(), true, 'node is the default')
  assert.equal(await page.locator('#f-runtime-python').isChecked(), false)
  assert.match(await page.locator('#hint-runtime-python').textContent() ?? '', /CPython 3\.\d+.*GIL/)

  // A workload a chosen runtime cannot run is said so at once; its option says where it runs.
  assert.match(await page.locator('#f-workload option[value="http-get"]').textContent() ?? '', /node only/)
  await page.selectOption('#f-workload', 'http-get')
  const support = page.locator('#runtime-support')
  assert.equal(await support.isVisible(), false, 'node alone can run http-get')
  await page.check('#f-runtime-python')
  await support.waitFor()
  assert.match(await support.textContent() ?? '', /http-get does not run in python/)
  await page.screenshot({ path: join(shots, 'dashboard-runtimes-submit-laptop.png'), fullPage: true })
  await page.selectOption('#f-workload', 'fibonacci')
  await support.waitFor({ state: 'hidden' })

  // A preset fills the runtimes too; editing it keeps them.
  await page.uncheck('#f-runtime-python')
  await page.locator('[data-preset-edit="gil-vs-node-cpu"]').click()
  assert.equal(await page.locator('#f-runtime-python').isChecked(), true, 'gil-vs-node-cpu asks for python')
  assert.equal(await page.locator('#f-runtime-node').isChecked(), true)

  // Node alone sends no `runtimes` (the server's default); both send both. A 400 first (tasks 0),
  // to look at a Node-only request without running a job.
  await page.uncheck('#f-runtime-python')
  await page.fill('#f-tasks', '0')
  state.expect400 = true
  await page.getByRole('button', { name: 'Submit job' }).click()
  await page.locator('#err-tasks').filter({ hasText: /./ }).waitFor()
  state.expect400 = false
  assert.equal((posted.at(-1) as { runtimes?: unknown }).runtimes, undefined)

  // --- a Node + Python job, followed live ----------------------------------------------------------
  // Sleeps, so that each run lasts long enough for the live line to be read in Python's cells.
  await page.selectOption('#f-workload', 'sleep')
  await page.fill('#f-params-ms', '300')
  await page.fill('#f-tasks', '2')
  await page.fill('#f-workers', '1')
  await page.fill('#f-repetitions', '1')
  await page.fill('#f-warmup', '0')
  for (const e of ['async', 'process']) await page.uncheck(`#f-executor-${e}`)
  for (const e of ['serialized', 'threaded']) await page.check(`#f-executor-${e}`)
  await page.check('#f-runtime-python')
  await page.getByRole('button', { name: 'Submit job' }).click()
  await page.waitForURL(/#\/jobs\/j_[0-9a-z]+$/)
  assert.deepEqual((posted.at(-1) as { runtimes?: unknown }).runtimes, ['node', 'python'])
  const id = page.url().split('/').at(-1) as string

  // The live line and the per-cell bars name the runtime.
  await page.locator('#job-progress-text', { hasText: /now python (serialized|threaded)\/1, recorded repetition 1 of 1/ }).waitFor({ timeout: 60_000 })
  assert.deepEqual(await page.locator('.cell-progress .cell-key').allTextContents(), ['node serialized/1', 'node threaded/1', 'python serialized/1', 'python threaded/1'])
  await page.locator('#job-status', { hasText: 'finished' }).waitFor({ timeout: 30_000 })
  assert.equal((await waitFor(app, id)).status, 'finished')
  assert.match(await page.locator('dl.meta').textContent() ?? '', /Runtimesnode \(v[0-9.]+\) · python \(CPython 3\.\d+/)

  // One chart series per runtime × executor: Node solid, Python dashed.
  await page.locator('#scaling-chart canvas').waitFor()
  // The summary lists every cell from the start; the fourth stored run means the final refresh is in.
  await page.locator('table.runs tbody tr').nth(3).waitFor({ state: 'attached' })
  const chart = await page.evaluate(() => {
    const u = (globalThis as unknown as InPage).corebench.charts.scaling
    return u?.series.slice(2).map(s => ({ label: s.label, dashed: s.dash !== undefined })) ?? []
  })
  assert.deepEqual(chart, [
    { label: 'node serialized', dashed: false },
    { label: 'node threaded', dashed: false },
    { label: 'python serialized', dashed: true },
    { label: 'python threaded', dashed: true }
  ])
  // Tables: each row names its runtime; each runtime's serialized cell is its own 1.00×.
  assert.deepEqual(await page.locator('#summary-table tbody th').allTextContents(), ['node serialized/1', 'node threaded/1', 'python serialized/1', 'python threaded/1'])
  assert.match(await page.locator('#summary-table tr[data-cell="python/serialized/1"]').textContent() ?? '', /1\.00×/)
  assert.deepEqual((await page.locator('table.runs tbody th').allTextContents()).sort(), ['node serialized/1', 'node threaded/1', 'python serialized/1', 'python threaded/1'])
  await page.screenshot({ path: join(shots, 'dashboard-runtimes-job-laptop.png'), fullPage: true })

  // --- compare: the history picks a Python cell, the table names the runtime ------------------------
  await page.getByRole('link', { name: 'Compare & history' }).click()
  await page.getByRole('heading', { level: 1, name: /^Compare/ }).waitFor()
  assert.deepEqual(await page.locator('#history-cell optgroup').evaluateAll(gs => gs.map(g => g.getAttribute('label'))), ['node', 'python'])
  const history = page.waitForResponse(r => new URL(r.url()).pathname === '/api/history' && new URL(r.url()).searchParams.get('runtime') === 'python')
  await page.selectOption('#history-cell', 'python/threaded/1')
  const answer = await (await history).json() as { cell: string, points: Array<{ value: number | null }> }
  assert.equal(answer.cell, 'python/threaded/1')
  assert.equal(answer.points.filter(p => p.value !== null).length, 1)
  await page.fill('#baseline-other', id)
  await page.getByRole('button', { name: 'Compare', exact: true }).click()
  await page.locator('#compare-table td.verdict').first().waitFor()
  assert.equal(await page.locator('#compare-table tr[data-cell="python/threaded/1"] th').textContent(), 'python threaded/1')
  assert.equal(await page.locator('#compare-table tr[data-cell="threaded/1"] th').textContent(), 'node threaded/1')

  assert.deepEqual(problems, [])
})
