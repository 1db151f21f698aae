// Node 20's `node --test` neither expands globs nor finds files from a directory argument reliably
// (it silently finds 0 tests and exits 0), so list the test files ourselves and fail if there are none.
// The timeout bounds a whole file as well as each test: the history suite measures a dozen real jobs.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureChromium, machine } from './chromium.mjs'

function collect (dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures' && name !== 'helpers') out.push(...collect(p))
    } else if (name.endsWith('.test.ts')) {
      out.push(p)
    }
  }
  return out
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : collect('test')
if (files.length === 0) {
  console.error('run-tests: no test files found under test/')
  process.exit(1)
}
// The browser tests need Chromium: get it, or stop here with what to install (never skip them).
if (files.some(f => readFileSync(f, 'utf8').includes('/browser.js\''))) {
  const chromium = ensureChromium(machine)
  if (!chromium.ok) {
    console.error(chromium.message)
    process.exit(1)
  }
}
const concurrency = process.env.TEST_CONCURRENCY ?? '1'
const res = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=tap', `--test-concurrency=${concurrency}`, '--test-timeout=420000', ...files
], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } })
process.exit(res.status ?? 1)
