// Shared by the browser tests: the bundle built from the current sources, a headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core) closed with the test, and a watch on
// console errors.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'
const repo = fileURLToPath(new URL('../../', import.meta.url))
export const shots = join(repo, 'test-results')

/** The app serves dist/web: build it from the current sources (a plain .mjs, imported by URL). */
export async function buildDashboard (): Promise<void> {
  const script = new URL('../../scripts/build-web.mjs', import.meta.url).href
  const { buildWeb } = await import(script) as { buildWeb: (o?: { minify?: boolean }) => Promise<unknown> }
  await buildWeb()
  mkdirSync(shots, { recursive: true })
}

/** A fresh browser profile; register it before the app so the browser closes first. */
export async function launch (t: TestContext): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'corebench-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.after(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  return context
}

/**
 * Every console error and page error. Chromium logs each 4xx answer as a console error, so the
 * refusals a step provokes on purpose are let through while `expect400` / `expect401` is set.
 */
export function watchConsole (page: Page): { problems: string[], state: { expect400: boolean, expect401: boolean } } {
  const problems: string[] = []
  const state = { expect400: false, expect401: false }
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    if (state.expect400 && /status of 400/.test(m.text())) return
    if (state.expect401 && /status of 401|response code: 401/.test(m.text())) return
    problems.push(`console.error: ${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => { problems.push(`page error: ${e.message}`) })
  return { problems, state }
}
