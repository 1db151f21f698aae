// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against a real app on an ephemeral port: live job list, the submit form with API validation
// errors next to their fields, a job finishing live with its scaling chart, compare and baseline,
// screenshots at laptop and phone widths, and no console errors anywhere.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { build } from '../helpers/app.js'
import { submit, waitFor } from '../helpers/jobs.js'
import { buildDashboard, launch, shots, watchConsole } from './browser.js'

before(buildDashboard)

/** What the page callbacks below touch (the test compiles without the DOM lib). */
interface Chart { data: Array<Array<number | null>>, series: Array<{ label?: string }> }
interface InPage {
  corebench: { charts: Record<string, Chart | undefined> }
  marker?: number
  location: { hash: string }
  document: { activeElement: { textContent: string | null } | null, documentElement: { scrollWidth: number, clientWidth: number } }
}

test('dashboard: live list, form validation, a job finishing live, scaling chart, compare and baseline', { timeout: 120_000 }, async (t) => {
  const context = await launch(t)
  const { app, config } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const page = context.pages()[0] ?? await context.newPage()
  const { problems, state } = watchConsole(page)

  // --- jobs list, live ------------------------------------------------------------------------
  await page.goto(`${base}/`)
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor()
  await page.locator('#live', { hasText: 'live' }).waitFor()
  const listed = await submit(app, { name: 'live row', workload: { id: 'sleep', params: { ms: 300 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 })
  const row = page.locator(`tr[data-job="${listed.id}"]`)
  await row.waitFor({ timeout: 10_000 })
  await row.locator('.badge', { hasText: 'finished' }).waitFor({ timeout: 15_000 })
  assert.equal(await row.getByRole('link').textContent(), 'live row')

  // --- submit form: generated from the catalog, API errors next to the field ---------------------
  await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click()
  await page.getByRole('heading', { level: 1, name: 'New job' }).waitFor()
  assert.ok(await page.locator('[data-preset="gil-cpu"]').isVisible(), 'preset buttons from /api/presets')
  await page.selectOption('#f-workload', 'fibonacci')
  const n = page.locator('#f-params-n')
  assert.equal(await n.getAttribute('max'), '40', 'the parameter input carries the schema maximum')
  assert.equal(await n.getAttribute('min'), '1')
  // The server's defaults and caps (GET /api/spec/defaults), not copies of them.
  const defaults = (await app.inject('/api/spec/defaults')).json()
  assert.equal(await page.inputValue('#f-repetitions'), String(defaults.repetitions))
  assert.equal(await page.inputValue('#f-workers'), defaults.workers.join(', '))
  assert.equal(await page.locator('#f-tasks').getAttribute('max'), String(config.MAX_TASKS))
  assert.match(await page.locator('#f-taskTimeoutMs').getAttribute('placeholder') ?? '', new RegExp(String(config.DEFAULT_TASK_TIMEOUT_MS)))
  await n.fill('45')
  await page.fill('#f-tasks', '8')
  await page.fill('#f-workers', '1, 2')
  // 6: intervals are shown from 6 repetitions per cell.
  await page.fill('#f-repetitions', '6')
  await page.fill('#f-warmup', '0')
  for (const e of ['async', 'process']) await page.uncheck(`#f-executor-${e}`)
  await page.check('#f-executor-serialized')
  await page.check('#f-executor-threaded')

  state.expect400 = true
  await page.getByRole('button', { name: 'Submit job' }).click()
  const nError = page.locator('#err-params-n')
  await nError.filter({ hasText: /./ }).waitFor()
  assert.match(await nError.textContent() ?? '', /params\.n.*40/)
  assert.equal(await n.getAttribute('aria-invalid'), 'true')
  assert.match(await page.locator('.form-error').textContent() ?? '', /not accepted/)

  await n.fill('18')
  await page.fill('#f-tasks', '0')
  await page.getByRole('button', { name: 'Submit job' }).click()
  const tasksError = page.locator('#err-tasks')
  await tasksError.filter({ hasText: /./ }).waitFor()
  assert.match(await tasksError.textContent() ?? '', /^tasks/)
  assert.equal(await nError.textContent(), '', 'the old error is cleared')
  await page.screenshot({ path: join(shots, 'dashboard-form-error-laptop.png'), fullPage: true })
  state.expect400 = false

  // --- a job finishing live ----------------------------------------------------------------------
  // A short blocker keeps the form's job queued for a moment, so the page sees it change state.
  await submit(app, { name: 'blocker', workload: { id: 'sleep', params: { ms: 1500 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 })
  await page.fill('#f-tasks', '8')
  await page.getByRole('button', { name: 'Submit job' }).click()
  await page.waitForURL(/#\/jobs\/j_[0-9a-z]+$/)
  const firstId = (page.url().split('/').at(-1) as string)
  const status = page.locator('#job-status')
  await status.filter({ hasText: /./ }).waitFor()
  const initial = await status.textContent() ?? ''
  assert.match(initial, /^(queued|running)$/, `the page opened before the job ended (was ${initial})`)
  await page.evaluate(() => { (globalThis as unknown as InPage).marker = 42 })
  await status.filter({ hasText: 'finished' }).waitFor({ timeout: 30_000 })
  assert.equal(await page.evaluate(() => (globalThis as unknown as InPage).marker), 42, 'no reload happened')
  assert.equal(await page.locator('#job-progress').evaluate(p => { const bar = p as unknown as { value: number, max: number }; return bar.value === bar.max }), true)

  // Scaling chart: a canvas of non-zero size, uPlot holding the speedups, the summary table after it.
  const canvas = page.locator('#scaling-chart canvas')
  await canvas.waitFor()
  const box = await canvas.boundingBox()
  assert.ok(box !== null && box.width > 100 && box.height > 100, `canvas size ${JSON.stringify(box)}`)
  const chart = await page.evaluate(() => {
    const u = (globalThis as unknown as InPage).corebench.charts.scaling
    return { labels: u?.series.map(s => s.label), data: u?.data }
  })
  // The ideal line: min(workers, cores) for CPU-bound work, y = x for waiting work.
  assert.match(String(chart.labels?.[1]), /^ideal \((y = x|min\(workers, \d+ cores\))\)$/)
  assert.deepEqual(chart.labels?.slice(2), ['serialized', 'threaded'])
  assert.deepEqual(chart.data?.[0], [1, 2])
  assert.ok(chart.data?.[3]?.every(v => typeof v === 'number' && v > 0), `threaded speedups ${JSON.stringify(chart.data)}`)
  assert.equal(await page.locator('#summary-table tbody tr').count(), 3)
  assert.match(await page.locator('#summary-table').textContent() ?? '', /95 % CI/)
  await page.locator('.stacks li').first().waitFor()
  await page.screenshot({ path: join(shots, 'dashboard-job-laptop.png'), fullPage: true })

  // --- a second job of the same spec, then compare -------------------------------------------------
  await page.getByRole('button', { name: 'Run again' }).click()
  await page.waitForURL(url => url.hash.startsWith('#/jobs/') && !url.hash.endsWith(firstId))
  const secondId = (page.url().split('/').at(-1) as string)
  await page.locator('#job-status', { hasText: 'finished' }).waitFor({ timeout: 30_000 })
  await waitFor(app, secondId)

  await page.getByRole('link', { name: 'Compare & history' }).click()
  await page.getByRole('heading', { level: 1, name: /^Compare/ }).waitFor()
  await page.locator(`#baseline-select option[value="${firstId}"]`).waitFor({ state: 'attached' })
  await page.selectOption('#baseline-select', firstId)
  await page.getByRole('button', { name: 'Compare', exact: true }).click()
  const verdicts = page.locator('#compare-table td.verdict')
  await verdicts.first().waitFor()
  assert.equal(await verdicts.count(), 3)
  for (const v of await verdicts.all()) {
    assert.match(await v.textContent() ?? '', /^(faster|slower|same|inconclusive)/)
    assert.match(await v.getAttribute('title') ?? '', /Welch p = .*Mann–Whitney p = /)
    assert.match(await v.getAttribute('class') ?? '', /verdict-(faster|slower|same|inconclusive)/)
  }
  await page.locator('#history-chart canvas').waitFor()
  assert.equal(await page.locator('#history-chart').getAttribute('data-points'), '2')

  await page.getByRole('button', { name: 'Make this job the baseline' }).click()
  await page.locator('#baseline-message', { hasText: 'now the baseline' }).waitFor()
  const baselines = (await app.inject('/api/baselines')).json() as Array<{ jobId: string }>
  assert.deepEqual(baselines.map(b => b.jobId), [secondId])
  await page.locator('#history-chart canvas').waitFor()
  const marked = await page.evaluate(() => {
    const u = (globalThis as unknown as InPage).corebench.charts.history
    return u?.data[2]?.filter(v => v !== null).length
  })
  assert.equal(marked, 1, 'the baseline point is marked')
  await page.screenshot({ path: join(shots, 'dashboard-compare-laptop.png'), fullPage: true })

  // --- phone width ------------------------------------------------------------------------------
  await page.setViewportSize({ width: 390, height: 844 })
  for (const [hash, name, ready] of [
    [`#/jobs/${firstId}`, 'job', '#scaling-chart canvas'],
    ['#/', 'jobs', 'table.jobs tbody tr'],
    ['#/submit', 'submit', '#submit-form'],
    [`#/jobs/${secondId}/compare?baseline=${firstId}`, 'compare', '#compare-table td.verdict']
  ] as const) {
    await page.evaluate((h) => { (globalThis as unknown as InPage).location.hash = h }, hash)
    await page.locator(ready).first().waitFor()
    await page.waitForTimeout(150)
    const overflow = await page.evaluate(() => { const d = (globalThis as unknown as InPage).document.documentElement; return d.scrollWidth - d.clientWidth })
    assert.ok(overflow <= 0, `${name} page is ${overflow} px wider than a 390 px phone`)
    await page.screenshot({ path: join(shots, `dashboard-${name}-phone.png`), fullPage: true })
  }

  // Keyboard: on a fresh load the first Tab stop is the skip link, then the real nav links.
  await page.goto(`${base}/`)
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor()
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent), 'Skip to content')
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent), 'corebench')

  assert.deepEqual(problems, [])
})

test('dashboard with API tokens: 401 offers the token dialog; then reads, the stream, submit and report downloads carry the token', { timeout: 60_000 }, async (t) => {
  const context = await launch(t)
  const { app } = await build(t, { READS_REQUIRE_TOKEN: 'true' })
  const { createToken } = await import('../../src/auth/manage.js')
  const { token } = await createToken(app.store, 'dashboard-test')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const page = context.pages()[0] ?? await context.newPage()
  const { problems, state } = watchConsole(page)

  // Before the token: the API and the stream refuse, and the page says what to do.
  state.expect401 = true
  await page.goto(`${base}/`)
  const set = page.getByRole('button', { name: 'Set API token' })
  await set.waitFor()
  await set.click()
  await page.locator('#token-dialog').waitFor()
  await page.fill('#token-input', token)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.locator('#live', { hasText: 'live' }).waitFor()
  state.expect401 = false
  assert.equal(await page.locator('#token-button').textContent(), 'API token ✓')

  await page.getByRole('navigation').getByRole('link', { name: 'New job' }).click()
  await page.selectOption('#f-workload', 'sleep')
  await page.fill('#f-params-ms', '20')
  await page.fill('#f-tasks', '1')
  await page.fill('#f-repetitions', '1')
  await page.fill('#f-warmup', '0')
  for (const e of ['async', 'threaded', 'process']) await page.uncheck(`#f-executor-${e}`)
  await page.getByRole('button', { name: 'Submit job' }).click()
  await page.waitForURL(/#\/jobs\/j_/)
  await page.locator('#job-status', { hasText: 'finished' }).waitFor({ timeout: 20_000 })
  const id = page.url().split('/').at(-1) as string
  const job = (await app.inject({ url: `/api/jobs/${id}`, headers: { authorization: `Bearer ${token}` } })).json() as { tokenId: string | null }
  assert.ok(job.tokenId !== null, 'the job records the token that submitted it')

  const downloading = page.waitForEvent('download')
  await page.locator('a.report-link', { hasText: 'md' }).click()
  const file = await downloading
  assert.equal(file.suggestedFilename(), `corebench-${id}.md`)
  assert.deepEqual(problems, [])
})
