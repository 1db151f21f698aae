import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { after, before, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { startCluster, type TestCluster } from './postgres.js'

// Team mode with real processes: runners started by hand (as `corebench runner` is on each host),
// and the API's JSON over fetch. Shared by the test/team/ files.

/** The runner entry from dist/ (plain node: a worker thread starts in ~20 ms, not the ~0.5 s of tsx); see buildDist. */
export const RUNNER_DIST = fileURLToPath(new URL('../../dist/runner.js', import.meta.url))

/**
 * Compiles src/ into dist/ (`tsc -p tsconfig.build.json`, after `npm test`'s prisma generate), so that
 * runners started from dist/ run the sources under test, on a fresh checkout too. A few seconds.
 */
export async function buildDist (): Promise<void> {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: fileURLToPath(new URL('../../', import.meta.url)) })
}
export const FINAL = ['finished', 'failed', 'cancelled', 'interrupted']
/** Short leases so that a dead runner's job is recovered within seconds; no redos: runners sharing one machine disturb each other by design. */
export const LEASES = { RUNNER_HEARTBEAT_MS: '300', RUNNER_LEASE_MS: '2000', RUNNER_POLL_MS: '200', REDO_DISTURBED: '0' }

export interface RunnerProcess { child: ChildProcess, output: () => string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }

/**
 * For a test file whose runners start from dist/: compiles it and starts the file's PostgreSQL
 * cluster before its tests, stops the cluster after them. Returns the cluster (once `before` ran).
 */
export function teamFile (): () => TestCluster {
  let cluster: TestCluster | undefined
  const afters: Array<() => unknown> = []
  before(async () => {
    await buildDist()
    cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } })
  })
  after(async () => { for (const fn of afters.reverse()) await fn() })
  return () => cluster ?? assert.fail('the cluster starts in the file\'s before hook')
}

/** `corebench runner` by hand, from `entry`: resolves once it says it is ready (or rejects with what it printed); killed after `t`. */
export async function startRunner (t: TestContext, env: Record<string, string>, entry = RUNNER_DIST): Promise<RunnerProcess> {
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry]
  const child = spawn(process.execPath, args, { env: { ...process.env, ...LEASES, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('runner ready')) resolve() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    void exited.then(({ code }) => { reject(new Error(`runner exited with ${code} before it was ready:\n${out}`)) })
  })
  return { child, output: () => out, exited }
}

/** `path` of the API at `url` as JSON; fails the test on a non-2xx answer, naming it. */
export async function api (url: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  const body = await res.json()
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

/** Polls the job every 100 ms until `done(job)`; fails after `timeoutMs`. */
export async function until (url: string, id: string, done: (job: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await api(url, `/api/jobs/${id}`)
    if (done(job)) return job
    if (Date.now() > deadline) assert.fail(`job ${id} is still ${job.status} after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
