import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { after, before, type TestContext } from 'node:test'
import { entryArgs } from './entry.js'
import { startCluster, type TestCluster } from './postgres.js'

// Team mode with real processes: hand-started runners, API calls, waits on job states and a look at
// a process's descendants in /proc. Shared by the test files under test/team/.

/** Node arguments that start `corebench runner` (dist/ when built from these sources, else tsx). */
export const runnerArgs = entryArgs('runner')
export const FINAL = ['finished', 'failed', 'cancelled', 'interrupted']
/** Short leases so that a dead runner's job is recovered within seconds; no redos: two runners on one machine disturb each other by design. */
export const LEASES = { RUNNER_HEARTBEAT_MS: '300', RUNNER_LEASE_MS: '2000', RUNNER_POLL_MS: '200', REDO_DISTURBED: '0' }

export const tiny = { workload: { id: 'fibonacci', params: { n: 15 } }, tasks: 4, executors: ['serialized', 'async'], repetitions: 2, warmup: 0 }
export const sleepy = { workload: { id: 'sleep', params: { ms: 20_000 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 }

export interface RunnerProcess { child: ChildProcess, output: () => string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }

/** `corebench runner` by hand, killed in t.after; with `ready` (the default) resolves once it says so, else once spawned. */
export async function spawnRunner (t: TestContext, env: Record<string, string>, ready = true): Promise<RunnerProcess> {
  const child = spawn(process.execPath, runnerArgs, { env: { ...process.env, ...LEASES, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const runner = { child, output: () => out, exited }
  if (ready) {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => { if (out.includes('runner ready')) resolve() })
      void exited.then(({ code }) => { reject(new Error(`runner exited with ${code} before it was ready:\n${out}`)) })
    })
  }
  return runner
}

/** Resolves when the runner has printed `text` (a log line), rejects when it exits first or after `timeoutMs`. */
export async function said (runner: RunnerProcess, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!runner.output().includes(text)) {
    if (runner.child.exitCode !== null || runner.child.signalCode !== null) assert.fail(`runner exited before it said "${text}":\n${runner.output()}`)
    if (Date.now() > deadline) assert.fail(`runner did not say "${text}" in ${timeoutMs} ms:\n${runner.output().slice(-3000)}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The runner's exit code; fails when it is still running after `timeoutMs` (it should have refused to start, say). */
export async function exitCode (runner: RunnerProcess, timeoutMs = 60_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`runner still running after ${timeoutMs} ms:\n${runner.output().slice(-3000)}`)) }, timeoutMs) })
  try {
    return (await Promise.race([runner.exited, late])).code
  } finally {
    clearTimeout(timer)
  }
}

/**
 * For a test file of team mode: starts the file's PostgreSQL cluster before its tests and stops it
 * after them. Returns the cluster (once `before` ran).
 */
export function teamFile (): () => TestCluster {
  let cluster: TestCluster | undefined
  const afters: Array<() => unknown> = []
  before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
  after(async () => { for (const fn of afters.reverse()) await fn() })
  return () => cluster ?? assert.fail('the cluster starts in the file\'s before hook')
}

/** One API call; fails the test on a non-2xx answer. */
export async function api (url: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  const body = await res.json()
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

/** Submits a spec; fails the test on a non-2xx answer. */
export async function submit (url: string, spec: object): Promise<any> {
  return await api(url, '/api/jobs', { method: 'POST', body: JSON.stringify(spec) })
}

/** Polls a job until `done` holds; fails after `timeoutMs`. */
export async function until (url: string, id: string, done: (job: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await api(url, `/api/jobs/${id}`)
    if (done(job)) return job
    if (Date.now() > deadline) assert.fail(`job ${id} is still ${job.status} after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Pids of every live descendant of `pid` (children, grandchildren…), from /proc/<pid>/stat. */
export function descendants (pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (state === 'Z') continue
    const list = children.get(Number(ppid)) ?? []
    list.push(Number(entry))
    children.set(Number(ppid), list)
  }
  const found: number[] = []
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      found.push(c)
      walk(c)
    }
  }
  walk(pid)
  return found
}

/**
 * A job's events as a client saw them are numbered without a gap from `from` on. With
 * `runnerLost`, a gap is allowed right before a final `job.interrupted`, and only there: a runner
 * stopped between numbering an event and sending it leaves those numbers unused (README, team mode).
 */
export function assertGapFree (messages: Array<{ type: string, seq: number }>, from: number, what: string, opts: { runnerLost?: boolean } = {}): void {
  let seq = from
  for (const [i, m] of messages.entries()) {
    const lostBefore = opts.runnerLost === true && i === messages.length - 1 && m.type === 'job.interrupted' && m.seq > seq
    if (!lostBefore) assert.equal(m.seq, seq + 1, `${what}: seq gap-free: ${messages.map(x => `${x.type}:${x.seq}`).join(' ')} (from ${from})`)
    seq = m.seq
  }
}
