import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { isFinalEvent, type FinalEvent } from '../src/jobs/events.js'
import type { RunnerMode } from '../src/plugins/runner.js'
import { migrate } from '../src/store/migrate.js'

// Shared by the service benchmarks (streams, api): the whole corebench app built in this process
// exactly as the tests build it (buildApp + loadConfig on a freshly migrated SQLite file), listening
// on a real loopback port so that WebSocket and HTTP clients go through the network stack.

/**
 * Load shedding off for the benchmark apps: the rate limit (1200/min per IP by default) would turn
 * a load test into a 429 test after a second, and under-pressure (503 past 1 s of event-loop delay)
 * would hide exactly the stalls we want to measure. Both plugins stay registered, so their per-request
 * cost is still in the figures; only their thresholds are out of reach.
 */
export const BENCH_ENV = {
  LOG_LEVEL: 'silent',
  RATE_LIMIT_PER_MINUTE: '1000000',
  MAX_EVENT_LOOP_DELAY_MS: '60000'
} as const

export const LOAD_SHEDDING_NOTE =
  `Service benchmarks run the app with RATE_LIMIT_PER_MINUTE=${BENCH_ENV.RATE_LIMIT_PER_MINUTE} and ` +
  `MAX_EVENT_LOOP_DELAY_MS=${BENCH_ENV.MAX_EVENT_LOOP_DELAY_MS} (both plugins still run, their limits are out of reach), ` +
  'so that 429/503 load shedding does not distort throughput and latency.'

/** Progress on stderr, indented under run.ts's suite lines, with the seconds since `since`. */
export function phase (msg: string, since: number): void {
  process.stderr.write(`[bench]   ${msg} (${((performance.now() - since) / 1000).toFixed(0)} s)\n`)
}

export interface Service {
  app: FastifyInstance
  /** http://127.0.0.1:port */
  base: string
  close: () => Promise<void>
}

/**
 * A corebench app on a new migrated database, listening on 127.0.0.1 on a free port. `runner`: where
 * its jobs run (src/plugins/runner.ts); default buildApp's, i.e. a supervised runner child process
 * (the product); 'inline' puts the runner on this process's event loop (the design before issue 13).
 * `databaseUrl`: an empty database to use instead of a new SQLite file (PostgreSQL: bench/team.ts).
 */
export async function startCorebench (env: Record<string, string> = {}, runner?: RunnerMode, databaseUrl?: string): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-bench-'))
  const url = databaseUrl ?? `file:${join(dir, 'corebench.db')}`
  await migrate(url)
  const config = loadConfig({ ...BENCH_ENV, ...env, DATABASE_URL: url })
  const app = await buildApp({ config, runner, logger: pino({ level: config.LOG_LEVEL }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  if (addr === null || typeof addr === 'string') throw new Error('bench: app has no TCP address')
  return {
    app,
    base: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      // Stopped before close, not only in its preClose hook: fastify gives ready/preClose hooks
      // pluginTimeout (10 s) and a runner stopping a job on a loaded machine can take longer, which
      // ends the process with AVV_ERR_READY_TIMEOUT thrown from a timer.
      await app.stopRunner()
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * POST /api/jobs through inject (no socket): the 202 body's id. A 503 is retried for a few seconds:
 * on a starved machine @fastify/under-pressure can see no event-loop sample in its 1 s interval,
 * reads the mean delay as NaN → Infinity and refuses everything until its next sample, whatever
 * MAX_EVENT_LOOP_DELAY_MS says.
 */
export async function submitJob (app: FastifyInstance, spec: Record<string, unknown>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: spec })
    if (res.statusCode === 202) return (res.json() as { id: string }).id
    if (res.statusCode !== 503 || attempt === 10) throw new Error(`bench: submit answered ${res.statusCode}: ${res.body}`)
    await delay(1000)
  }
}

export async function jobView (app: FastifyInstance, id: string): Promise<any> {
  const res = await app.inject(`/api/jobs/${id}`)
  if (res.statusCode !== 200) throw new Error(`bench: GET job answered ${res.statusCode}: ${res.body}`)
  return res.json()
}


/**
 * Resolves when the job's end is announced on the app's bus (the runner's events, whichever process
 * runs it), instead of polling, so that waiting adds no requests to the server's event loop. Attach
 * before the job can end.
 */
export function jobEnded (app: FastifyInstance, id: string, timeoutMs = 120_000): Promise<FinalEvent> {
  return new Promise((resolve, reject) => {
    const off = app.bus.subscribe((e) => {
      if (e.jobId !== id || !isFinalEvent(e.type)) return
      done()
      resolve(e.type)
    })
    const timer = setTimeout(() => { done(); reject(new Error(`bench: job ${id} did not end within ${timeoutMs} ms`)) }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      off()
    }
  })
}

/** Resolves on the next event `type` for the job. */
export function runnerEvent (app: FastifyInstance, type: 'job.started' | 'run.started', id: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = app.bus.subscribe((e) => {
      if (e.jobId !== id || e.type !== type) return
      clearTimeout(timer)
      off()
      resolve()
    })
    const timer = setTimeout(() => { off(); reject(new Error(`bench: no ${type} for ${id} within ${timeoutMs} ms`)) }, timeoutMs)
  })
}

/**
 * A helper child process spoken to over IPC, one request at a time ({ id, ...msg } → { id, ...reply }).
 * Forked with this process's execArgv, i.e. under tsx like the bench itself.
 */
export interface Child {
  call: <R>(msg: Record<string, unknown>, timeoutMs?: number) => Promise<R>
  close: () => Promise<void>
  pid: number
}

export async function forkChild (file: string): Promise<Child> {
  const child: ChildProcess = fork(fileURLToPath(new URL(file, import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>()
  let next = 0
  child.on('message', (m: any) => {
    const p = pending.get(m.id)
    if (p === undefined) return
    pending.delete(m.id)
    if (m.error !== undefined) p.reject(new Error(`bench child ${file}: ${m.error}`))
    else p.resolve(m)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`bench child ${file} exited`))
    pending.clear()
    resolve()
  }))
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('message', (m: any) => { if (m.ready === true) resolve() })
  })
  return {
    pid: child.pid ?? -1,
    call: async <R>(msg: Record<string, unknown>, timeoutMs = 120_000): Promise<R> => await new Promise<R>((resolve, reject) => {
      const id = ++next
      const timer = setTimeout(() => { pending.delete(id); reject(new Error(`bench child ${file}: no answer to ${String(msg.cmd)} in ${timeoutMs} ms`)) }, timeoutMs)
      pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v) }, reject: (e) => { clearTimeout(timer); reject(e) } })
      child.send({ ...msg, id })
    }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
    }
  }
}

/** The child side of forkChild: answers each request with handler's result (or its error). */
export function serveParent (handler: (msg: any) => Promise<Record<string, unknown>>): void {
  if (process.send === undefined) throw new Error('bench child: must be forked with an IPC channel')
  process.on('message', (m: any) => {
    handler(m).then(
      r => { process.send?.({ ...r, id: m.id }) },
      (err: Error) => { process.send?.({ id: m.id, error: err.stack ?? err.message }) }
    )
  })
  // The parent going away ends the child (IPC disconnect), so a crashed bench leaves nothing behind.
  process.on('disconnect', () => { process.exit(0) })
  process.send({ ready: true })
}
