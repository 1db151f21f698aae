import Fastify from 'fastify'
import { availableParallelism } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { WebSocket } from 'ws'
import type { LoadResult } from './api-load-child.js'
import { interleave, round, stat, type Stat } from './lib.js'
import { foreignCores, snapshot } from './load.js'
import { forkChild, jobEnded, jobView, phase, runnerEvent, startCorebench, submitJob, type Child, type Service } from './service.js'

// Issue 8: is the API fast, and does it stay fast while a job keeps every core busy?
//
// The server runs in this process (built like the tests build it); autocannon runs in a forked child
// (api-load-child.ts), so the load generator competes with the server for cores but never for its
// event loop. The event-loop delay below is therefore the server's own thread. A hello-world fastify
// in this same process is the ceiling of this machine + generator: our GET is judged against it in
// the same run, interleaved, rather than against a number measured on another day. Closed-loop
// latency at 50 connections is mostly queueing (Little's law), so a paced 100 req/s open loop runs
// beside it as the latency a polling client actually sees.

const cores = availableParallelism()

export interface ApiSettings {
  /** Recorded runs per measurement (after one short warm-up). */
  rounds: number
  /** Seconds per closed-loop autocannon run. */
  durationS: number
  /** Seconds per paced (fixed-rate, open-loop) run. */
  rateDurationS: number
}

export const API_DEFAULTS: ApiSettings = { rounds: 3, durationS: 5, rateDurationS: 3 }

const CONNECTIONS = 50
/**
 * A fixed, modest rate (a few dashboards polling), well under capacity: per-request latency without
 * the queueing a closed loop builds (50 connections ÷ throughput = mean latency, Little's law).
 */
const RATE = 100
const SUBMIT_SAMPLES = 10
const MS_GOAL = 10
const RATIO_GOAL = 0.5

/** A finished job with runs and a summary, as a dashboard would fetch it. */
const FINISHED_SPEC = {
  name: 'bench: api view',
  workload: { id: 'fibonacci', params: { n: 18 } },
  tasks: 8,
  executors: ['serialized', 'threaded'],
  workers: [1, 2],
  repetitions: 3,
  warmup: 1
}

/** Keeps every core busy for longer than the loaded measurements; cancelled after them. */
const SATURATING_SPEC = {
  name: 'bench: api saturating',
  workload: { id: 'fibonacci', params: { n: 30 } },
  tasks: 10_000,
  executors: ['threaded'],
  workers: [cores],
  repetitions: 1,
  warmup: 0
}

/** The smallest valid job: what the submit burst posts and the submit→started latency runs. */
const TINY_SPEC = {
  name: 'bench: tiny',
  workload: { id: 'sum-range', params: { n: 1000 } },
  tasks: 1,
  executors: ['serialized'],
  repetitions: 1,
  warmup: 0
}

export interface LoadRow {
  target: string
  load: string
  condition: string
  okPerSec: Stat
  p99Ms: Stat
  p50Ms: Stat
  /** This (the server's) thread: monitorEventLoopDelay({ resolution: 5 }) over each run, p99 and max. */
  loopP99Ms: Stat
  loopMaxMs: number
  non2xx: number
  errors: number
  /** Median cores used by our process tree (server, its workers, the generator) and by the generator alone. */
  ourCores: number
  generatorCores: number
  otherCores: Stat
  redone: number
  /**
   * Closed-loop rows: CPU µs of the bench process (the servers' thread; job workers too while a job
   * runs) per response. Steadier than req/s on a shared VM: another tenant slows the run, not each response.
   */
  cpuUsPerResponse?: Stat
  /** Loaded rows: the saturating job was still running at the end of every run. */
  jobRunning?: boolean
  /** Loaded rows: tasks the saturating job finished per second during each run. */
  jobTasksPerSec?: Stat
}

export interface GoalRow { check: string, value: string, goal: string, met: boolean | null }

export interface ApiResult {
  settings: ApiSettings & { connections: number, rate: number }
  viewBytes: number
  rows: LoadRow[]
  submit: { samples: number[], ackMs: Stat, startedMs: Stat, otherCores: number }
  burst: { accepted: Stat, non2xx: number, p99Ms: Stat, otherCores: Stat, redone: number }
  goals: GoalRow[]
}

interface Measured { r: LoadResult, loopP99: number, loopMax: number, ourCores: number, running: boolean, tasksPerSec?: number, cpuUsPerResponse?: number }

/** While a job runs: its tasks done so far (the runner's live progress). */
type Done = () => number | undefined

/** Tasks per second of the running job over an async window. */
async function withJobRate (done: Done | undefined, fn: () => Promise<Measured>): Promise<Measured> {
  const a = done?.()
  const t = performance.now()
  const m = await fn()
  const b = done?.()
  if (a !== undefined && b !== undefined) m.tasksPerSec = (b - a) / ((performance.now() - t) / 1000)
  return m
}

/** One autocannon run in the child while this thread's event-loop delay is recorded. */
async function measureLoad (child: Child, opts: Record<string, unknown>, running: () => boolean = () => true): Promise<Measured> {
  const h = monitorEventLoopDelay({ resolution: 5 })
  const a = snapshot()
  const cpu0 = process.cpuUsage()
  h.enable()
  const { result } = await child.call<{ result: LoadResult }>(opts.rate !== undefined ? { cmd: 'paced', ...opts } : { cmd: 'run', opts })
  h.disable()
  const cpu = process.cpuUsage(cpu0)
  const b = snapshot()
  const ourCores = a !== undefined && b !== undefined ? (b.ours - a.ours) * 10 / (b.at - a.at) : NaN
  // This process's CPU (both servers' thread, plus job workers when a job runs) per response.
  const cpuUsPerResponse = (cpu.user + cpu.system) / Math.max(1, result.ok + result.non2xx)
  return { r: result, loopP99: h.percentile(99) / 1e6, loopMax: h.max / 1e6, ourCores, running: running(), cpuUsPerResponse }
}

/** No requests: the event-loop delay of this thread alone over `d` seconds (the monitor's floor, or the job's effect). */
async function quiet (d: number, running: () => boolean = () => true): Promise<Measured> {
  const h = monitorEventLoopDelay({ resolution: 5 })
  const a = snapshot()
  h.enable()
  await delay(d * 1000)
  h.disable()
  const b = snapshot()
  const ourCores = a !== undefined && b !== undefined ? (b.ours - a.ours) * 10 / (b.at - a.at) : NaN
  const none: LoadResult = { okPerSec: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, statusCodes: {}, latency: { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN }, durationS: d, generatorCores: 0 }
  return { r: none, loopP99: h.percentile(99) / 1e6, loopMax: h.max / 1e6, ourCores, running: running() }
}

/** The first call of each side is the unrecorded warm-up of lib.interleave: make it short. */
function side (run: (durationS: number) => Promise<Measured>, durationS: number): () => Promise<Measured> {
  let calls = 0
  return async () => await run(calls++ === 0 ? 1 : durationS)
}

function row (target: string, load: string, condition: string, runs: { values: Measured[], foreign: number[], redone: number }): LoadRow {
  const v = runs.values
  const out: LoadRow = {
    target,
    load,
    condition,
    okPerSec: stat(v.map(m => Math.round(m.r.okPerSec))),
    p99Ms: stat(v.map(m => m.r.latency.p99)),
    p50Ms: stat(v.map(m => m.r.latency.p50)),
    loopP99Ms: stat(v.map(m => round(m.loopP99))),
    loopMaxMs: round(Math.max(...v.map(m => m.loopMax))),
    non2xx: v.reduce((n, m) => n + m.r.non2xx, 0),
    errors: v.reduce((n, m) => n + m.r.errors + m.r.timeouts, 0),
    ourCores: round(stat(v.map(m => m.ourCores)).median),
    generatorCores: round(stat(v.map(m => m.r.generatorCores)).median),
    otherCores: stat(runs.foreign),
    redone: runs.redone
  }
  if (load.endsWith('connections')) out.cpuUsPerResponse = stat(v.map(m => round(m.cpuUsPerResponse ?? NaN, 1)))
  if (condition !== 'idle') out.jobRunning = v.every(m => m.running)
  if (v.every(m => m.tasksPerSec !== undefined)) out.jobTasksPerSec = stat(v.map(m => Math.round(m.tasksPerSec as number)))
  return out
}

const pick = <T>(r: { values: T[][], foreign: number[][], redone: number[] }, i: number): { values: T[], foreign: number[], redone: number } =>
  ({ values: r.values[i], foreign: r.foreign[i], redone: r.redone[i] })

/** Submit → job.started as a global-stream client sees it, on an idle server, one job at a time. */
async function submitLatency (svc: Service): Promise<ApiResult['submit']> {
  const ws = new WebSocket(`${svc.base.replace(/^http/, 'ws')}/api/stream`)
  const seen = new Map<string, number>()
  const waiters = new Map<string, () => void>()
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString())
    if (m.type !== 'job.started') return
    seen.set(m.jobId, performance.now())
    waiters.get(m.jobId)?.()
  })
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  const ack: number[] = []
  const started: number[] = []
  const a = snapshot()
  try {
    for (let i = 0; i < SUBMIT_SAMPLES; i++) {
      await delay(200)
      const t0 = performance.now()
      const res = await fetch(`${svc.base}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TINY_SPEC) })
      const t1 = performance.now()
      if (res.status !== 202) throw new Error(`bench: submit answered ${res.status}: ${await res.text()}`)
      const id = (await res.json() as { id: string }).id
      const ended = jobEnded(svc.app, id)
      if (!seen.has(id)) await new Promise<void>(resolve => waiters.set(id, resolve))
      ack.push(round(t1 - t0, 1))
      started.push(round((seen.get(id) as number) - t0, 1))
      await ended
    }
  } finally {
    ws.close()
  }
  return { samples: started, ackMs: stat(ack), startedMs: stat(started), otherCores: round(foreignCores(a, snapshot())) }
}

export async function benchApi (s: ApiSettings = API_DEFAULTS): Promise<ApiResult> {
  const t0 = performance.now()
  const svc = await startCorebench()
  const hello = Fastify()
  hello.get('/', async () => ({ hello: 'world' }))
  // The very document our GET serves, from the same bare fastify: what its size alone costs here
  // (the generator parses it too, on the same two cores), i.e. the ceiling for our GET.
  let doc: Buffer = Buffer.alloc(0)
  hello.get('/view', async (_req, reply) => await reply.type('application/json; charset=utf-8').send(doc))
  await hello.listen({ host: '127.0.0.1', port: 0 })
  const helloAddr = hello.server.address()
  if (helloAddr === null || typeof helloAddr === 'string') throw new Error('bench: hello-world has no TCP address')
  const child = await forkChild('./api-load-child.ts')
  const rows: LoadRow[] = []
  try {
    // A finished job with 2 cells' runs and a summary: the document GET /api/jobs/:id serves.
    const id = await submitJob(svc.app, FINISHED_SPEC)
    const done = jobEnded(svc.app, id)
    if (await done !== 'job.finished') throw new Error('bench: the view job did not finish')
    const jobUrl = `${svc.base}/api/jobs/${id}`
    const viewBytes = Buffer.byteLength(JSON.stringify(await jobView(svc.app, id)))
    doc = (await svc.app.inject(`/api/jobs/${id}`)).rawPayload

    // (c, latency) first, while nothing else has run on this server yet.
    const submit = await submitLatency(svc)
    phase('api: submit → job.started done', t0)

    // (a) idle server, interleaved: hello-world and our GET in a closed loop, our GET paced at a fixed
    // rate, a window with no requests at all (the delay monitor's floor on this VM), and hello-world
    // serving our document (same bytes, no plugins): the share of the gap that is payload, not stack.
    const closed = (url: string) => async (d: number) => await measureLoad(child, { url, connections: CONNECTIONS, duration: d })
    const fixed = (url: string) => async (d: number) => await measureLoad(child, { url, rate: RATE, durationS: d })
    const idle = await interleave(s.rounds, [
      side(closed(`http://127.0.0.1:${helloAddr.port}/`), s.durationS),
      side(closed(jobUrl), s.durationS),
      side(fixed(jobUrl), s.rateDurationS),
      side(async d => await quiet(d), 2),
      side(closed(`http://127.0.0.1:${helloAddr.port}/view`), s.durationS)
    ])
    rows.push(row('hello-world GET /', `${CONNECTIONS} connections`, 'idle', pick(idle, 0)))
    rows.push(row('corebench GET /api/jobs/:id', `${CONNECTIONS} connections`, 'idle', pick(idle, 1)))
    rows.push(row('corebench GET /api/jobs/:id', `${RATE} req/s paced`, 'idle', pick(idle, 2)))
    rows.push(row('(no requests, no job: the monitor\'s floor)', '—', 'idle', pick(idle, 3)))
    rows.push(row(`hello-world GET /view (our ${viewBytes}-byte document)`, `${CONNECTIONS} connections`, 'idle', pick(idle, 4)))
    phase('api: (a) idle GET vs hello-world done', t0)

    // (b) the same while a CPU job keeps every core busy (threaded, workers = cores).
    const busyId = await submitJob(svc.app, SATURATING_SPEC)
    const busyEnded = jobEnded(svc.app, busyId, 600_000)
    await runnerEvent(svc.app, 'run.started', busyId)
    await delay(300)
    const running = (): boolean => { const r = svc.app.runnerState(); return r?.state === 'running' && r.jobId === busyId }
    const busyDone: Done = () => svc.app.progress.get(busyId)?.current.jobDone
    const loaded = await interleave(s.rounds, [
      side(async d => await withJobRate(busyDone, async () => await measureLoad(child, { url: jobUrl, connections: CONNECTIONS, duration: d }, running)), s.durationS),
      side(async d => await withJobRate(busyDone, async () => await measureLoad(child, { url: jobUrl, rate: RATE, durationS: d }, running)), s.rateDurationS),
      side(async d => await withJobRate(busyDone, async () => await quiet(d, running)), 2)
    ])
    const cancel = await svc.app.inject({ method: 'POST', url: `/api/jobs/${busyId}/cancel` })
    if (cancel.statusCode !== 202) throw new Error(`bench: the saturating job was no longer running (cancel: ${cancel.statusCode}); make it longer`)
    await busyEnded
    const cpuJob = `CPU job on all ${cores} cores`
    rows.push(row('corebench GET /api/jobs/:id', `${CONNECTIONS} connections`, cpuJob, pick(loaded, 0)))
    rows.push(row('corebench GET /api/jobs/:id', `${RATE} req/s paced`, cpuJob, pick(loaded, 1)))
    rows.push(row('(no requests: the job alone)', '—', cpuJob, pick(loaded, 2)))
    phase('api: (b) GET under a CPU job done', t0)

    // (c) submit burst on a second app whose runner is stopped, so that the accepted jobs stay queued
    // instead of running (and taking the cores) during the burst; QUEUE_LIMIT is high enough never to 429.
    const burstSvc = await startCorebench({ QUEUE_LIMIT: '100000' })
    let burst: ApiResult['burst']
    try {
      await burstSvc.app.stopRunner()
      const post = async (d: number): Promise<Measured> => await measureLoad(child, {
        url: `${burstSvc.base}/api/jobs`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TINY_SPEC), connections: CONNECTIONS, duration: d
      })
      const b = await interleave(s.rounds, [side(post, s.rateDurationS)])
      const r = row('corebench POST /api/jobs', `${CONNECTIONS} connections`, 'runner stopped', pick(b, 0))
      rows.push(r)
      burst = { accepted: r.okPerSec, non2xx: r.non2xx, p99Ms: r.p99Ms, otherCores: r.otherCores, redone: r.redone }
      phase('api: (c) POST burst done', t0)
    } finally {
      await burstSvc.close()
    }

    const [helloRow, getRow, rateRow, floorRow, docRow, busyRow, busyRateRow, quietRow] = rows
    const ratio = getRow.okPerSec.median / helloRow.okPerSec.median
    // Per round (hello and ours back to back), the median of the ratios: less sensitive to drift.
    const pairedOf = (a: LoadRow, b: LoadRow): number => stat(a.okPerSec.runs.map((v, i) => v / b.okPerSec.runs[i])).median
    const paired = pairedOf(getRow, helloRow)
    const us = (r: LoadRow): string => `${r.cpuUsPerResponse?.median ?? NaN} µs`
    const ms = (v: number): string => `${v.toFixed(2)} ms`
    const goals: GoalRow[] = [
      { check: '(a) GET /api/jobs/:id req/s ÷ hello-world req/s, idle', value: `${ratio.toFixed(2)} (${getRow.okPerSec.median} / ${helloRow.okPerSec.median}; paired ${paired.toFixed(2)})`, goal: `≥ ${RATIO_GOAL}`, met: ratio >= RATIO_GOAL },
      { check: `(a) hello-world serving our ${viewBytes}-byte document ÷ hello-world: the ceiling this payload leaves (reference)`, value: `${(docRow.okPerSec.median / helloRow.okPerSec.median).toFixed(2)} (${docRow.okPerSec.median} / ${helloRow.okPerSec.median}; paired ${pairedOf(docRow, helloRow).toFixed(2)})`, goal: '—', met: null },
      { check: '(a) GET /api/jobs/:id ÷ hello-world serving the same document: what our plugin stack costs (reference)', value: `${(getRow.okPerSec.median / docRow.okPerSec.median).toFixed(2)} (paired ${pairedOf(getRow, docRow).toFixed(2)})`, goal: '—', met: null },
      { check: '(a) server CPU per response, idle, closed loop (reference; steadier than req/s on a shared VM)', value: `ours ${us(getRow)}; same document from hello-world ${us(docRow)}; hello-world ${us(helloRow)}`, goal: '—', met: null },
      { check: `(a) GET p99 latency, idle, ${CONNECTIONS} connections`, value: ms(getRow.p99Ms.median), goal: `< ${MS_GOAL} ms`, met: getRow.p99Ms.median < MS_GOAL },
      { check: `(a) GET p99 latency, idle, ${RATE} req/s paced (supplementary)`, value: ms(rateRow.p99Ms.median), goal: `< ${MS_GOAL} ms`, met: rateRow.p99Ms.median < MS_GOAL },
      { check: `(b) GET req/s under the CPU job, ${CONNECTIONS} connections (idle: ${getRow.okPerSec.median})`, value: `${busyRow.okPerSec.median} (${(busyRow.okPerSec.median / getRow.okPerSec.median).toFixed(2)}× idle)`, goal: '—', met: null },
      { check: `(b) GET p99 latency under the CPU job, ${CONNECTIONS} connections`, value: ms(busyRow.p99Ms.median), goal: `< ${MS_GOAL} ms`, met: busyRow.p99Ms.median < MS_GOAL },
      { check: `(b) GET p99 latency under the CPU job, ${RATE} req/s paced (supplementary)`, value: ms(busyRateRow.p99Ms.median), goal: `< ${MS_GOAL} ms`, met: busyRateRow.p99Ms.median < MS_GOAL },
      { check: `(b) API event-loop delay p99 under the CPU job + ${CONNECTIONS}-connection GET load`, value: ms(busyRow.loopP99Ms.median), goal: `< ${MS_GOAL} ms`, met: busyRow.loopP99Ms.median < MS_GOAL },
      { check: `(b) API event-loop delay p99 under the CPU job + ${RATE} req/s paced GETs (supplementary)`, value: ms(busyRateRow.loopP99Ms.median), goal: `< ${MS_GOAL} ms`, met: busyRateRow.loopP99Ms.median < MS_GOAL },
      { check: '(b) API event-loop delay p99 under the CPU job, no requests (reference)', value: `${ms(quietRow.loopP99Ms.median)} (no job either: ${ms(floorRow.loopP99Ms.median)})`, goal: '—', met: null },
      { check: `(b) the CPU job's own throughput during the ${CONNECTIONS}-connection GET load vs alone`, value: `${busyRow.jobTasksPerSec?.median ?? NaN} vs ${quietRow.jobTasksPerSec?.median ?? NaN} tasks/s (${((busyRow.jobTasksPerSec?.median ?? NaN) / (quietRow.jobTasksPerSec?.median ?? NaN)).toFixed(2)}×)`, goal: '—', met: null },
      { check: `(c) POST /api/jobs accepted/s, ${CONNECTIONS} connections (runner stopped)`, value: `${burst.accepted.median} (${burst.non2xx} non-2xx)`, goal: '—', met: null },
      { check: `(c) submit → job.started on the global stream, idle server, median of ${SUBMIT_SAMPLES}`, value: `${ms(submit.startedMs.median)} (${submit.startedMs.min}–${submit.startedMs.max}; 202 after ${ms(submit.ackMs.median)})`, goal: '—', met: null }
    ]
    return {
      settings: { ...s, connections: CONNECTIONS, rate: RATE },
      viewBytes,
      rows,
      submit,
      burst,
      goals
    }
  } finally {
    await child.close()
    await hello.close()
    await svc.close()
  }
}
