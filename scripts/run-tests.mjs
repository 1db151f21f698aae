// Node 20's `node --test` neither expands globs nor finds files from a directory argument reliably
// (it silently finds 0 tests and exits 0), so list the test files ourselves and fail if there are none.
// Each file runs in a `node --test` of its own, so that its wall time is known: a table of file times,
// slowest first, ends the output (where CI time goes). TEST_CONCURRENCY=N runs N files side by side
// (default 1); a file that measures the host's cores marks itself `// run-tests: alone (why)` near its
// top and runs with nothing beside it; a file that fails beside another is run once more, alone (it
// passes only if it passes then; both outcomes are printed). Beside each other, files run slowest first (times of the last
// run, kept in node_modules/.cache) so that a long file does not start last.
// The timeout bounds a whole file as well as each test: the history suite measures a dozen real jobs.
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureChromium, machine } from './chromium.mjs'
import { distIsFresh } from './dist-fresh.mjs'

const TIMES = join('node_modules', '.cache', 'corebench-test-times.json')
// Pools that tests start in their own process (app.inject tests, executor tests) load the compiled
// entries of a fresh build instead of registering tsx in every worker (src/executors/entry.ts). Without
// one the variable is cleared (empty means unset there): a value from the shell could name a stale build.
const FRESH = distIsFresh(process.cwd())
const COMPILED = { COREBENCH_COMPILED_ENTRIES: FRESH ? join(process.cwd(), 'dist', 'executors', 'entries') : '' }

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

function readTimes () {
  try { return JSON.parse(readFileSync(TIMES, 'utf8')) } catch { return {} }
}

function writeTimes (times) {
  try {
    mkdirSync(join('node_modules', '.cache'), { recursive: true })
    const tmp = `${TIMES}.${process.pid}`
    writeFileSync(tmp, JSON.stringify(times, null, 1))
    renameSync(tmp, TIMES)
  } catch { /* a read-only node_modules only loses the ordering hint */ }
}

/** Runs one file in its own `node --test`; resolves with its exit code, wall time and TAP counts. */
function runFile (file, { buffer }) {
  return new Promise(resolve => {
    const started = performance.now()
    const child = spawn(process.execPath, [
      '--import', 'tsx', '--test', '--test-reporter=tap', '--test-timeout=420000', file
    ], {
      stdio: ['ignore', buffer ? 'pipe' : 'inherit', buffer ? 'pipe' : 'inherit'],
      // The scope keeps a runner in one file from reaping the task processes another file orphans on
      // purpose (src/executors/leftovers.ts): files side by side never see each other's leftovers.
      env: { ...process.env, ...COMPILED, NODE_ENV: 'test', COREBENCH_LEFTOVER_SCOPE: `run-tests:${process.pid}:${file}` }
    })
    let out = ''
    if (buffer) {
      child.stdout.on('data', d => { out += d })
      child.stderr.on('data', d => { out += d })
    }
    child.on('close', (code, signal) => {
      resolve({ file, code: code ?? 1, signal, ms: performance.now() - started, out })
    })
  })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : collect('test')
if (files.length === 0) {
  console.error('run-tests: no test files found under test/')
  process.exit(1)
}
const sources = new Map(files.map(f => [f, readFileSync(f, 'utf8')]))
// The browser tests need Chromium: get it, or stop here with what to install (never skip them).
if ([...sources.values()].some(src => src.includes('/browser.js\''))) {
  const chromium = ensureChromium(machine)
  if (!chromium.ok) {
    console.error(chromium.message)
    process.exit(1)
  }
}
const concurrency = Math.max(1, Number.parseInt(process.env.TEST_CONCURRENCY ?? '1', 10) || 1)
const alone = new Set(files.filter(f => /^\/\/ run-tests: alone\b/m.test(sources.get(f))))
const previous = readTimes()
// Alone files first (one at a time), then the rest slowest first; unknown files by size.
const weight = f => previous[f] ?? sources.get(f).length
const queue = concurrency === 1
  ? [...files]
  : [...files.filter(f => alone.has(f)), ...files.filter(f => !alone.has(f)).sort((a, b) => weight(b) - weight(a))]

console.log(`# pools in test processes start from ${FRESH ? 'dist/ (a build of the current sources)' : 'src/ under tsx (no build of the current sources in dist/)'}`)
const wallStarted = performance.now()
const results = []
const running = new Set()
async function worker () {
  while (queue.length > 0) {
    const file = queue[0]
    // An alone file waits until nothing else runs; nothing starts beside it (it is first in line).
    if (alone.has(file) && running.size > 0) {
      await Promise.race(running)
      continue
    }
    if (running.size > 0 && alone.has([...running][0]?.file)) {
      await Promise.race(running)
      continue
    }
    queue.shift()
    const p = runFile(file, { buffer: concurrency > 1 })
    const entry = p.then(r => { running.delete(entry); return r })
    entry.file = file
    running.add(entry)
    const r = await entry
    results.push(r)
    if (concurrency > 1) process.stdout.write(`# file ${file}\n${r.out}`)
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))

// Files are written to pass on their own, and side by side is a speed-up of the suite, not a
// condition of it: a file that failed beside another runs once more, alone. It counts as passed
// only if it passes alone, and both outcomes are printed (its first failure above, and the line at
// the end), so that a failure that shows only under load is still seen and can be fixed.
const failedBeside = concurrency > 1 ? results.filter(r => r.code !== 0).map(r => r.file) : []
const passedAlone = []
for (const file of failedBeside) {
  console.log(`# file ${file} failed beside another file: running it again, alone`)
  const r = await runFile(file, { buffer: false })
  const at = results.findIndex(x => x.file === file)
  results[at] = { ...r, ms: (results[at]?.ms ?? 0) + r.ms }
  if (r.code === 0) passedAlone.push(file)
}
const wallMs = performance.now() - wallStarted

writeTimes({ ...previous, ...Object.fromEntries(results.map(r => [r.file, Math.round(r.ms)])) })
const failed = results.filter(r => r.code !== 0)
const width = Math.max(...results.map(r => r.file.length))
console.log(`\n# file times (wall, slowest first; concurrency ${concurrency}${alone.size > 0 ? `, ${alone.size} alone` : ''})`)
for (const r of [...results].sort((a, b) => b.ms - a.ms)) {
  console.log(`# ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.file.padEnd(width)}${alone.has(r.file) ? '  alone' : ''}${r.code !== 0 ? `  FAILED (${r.signal ?? `exit ${r.code}`})` : ''}`)
}
const sum = results.reduce((s, r) => s + r.ms, 0)
if (passedAlone.length > 0) console.log(`# FLAKY UNDER LOAD: ${passedAlone.length} file(s) failed beside another file and passed alone (see their first output above): ${passedAlone.join(', ')}`)
console.log(`# ${results.length} files, ${(sum / 1000).toFixed(1)} s of file time in ${(wallMs / 1000).toFixed(1)} s of wall time; ${failed.length} failed${failed.length > 0 ? `: ${failed.map(r => r.file).join(', ')}` : ''}`)
process.exit(failed.length > 0 ? 1 : 0)
