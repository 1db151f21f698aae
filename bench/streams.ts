import { FINAL_EVENTS } from '../src/schemas/vocabulary.js'
import { interleave, round, stat, type Stat } from './lib.js'
import { forkChild, jobEnded, jobView, phase, runnerEvent, startCorebench, submitJob, type Service } from './service.js'
import type { SocketSummary } from './streams-child.js'

// Issue 5: do stream subscribers slow a job down, and do they all get every lifecycle event?
// A 10 000-task job of tiny tasks keeps the server's thread busy dispatching to the pool (that
// thread is also the one that fans stream messages out), so it is the job most sensitive to what
// the hub costs. The same job runs with no subscriber and with 100 global + 100 per-job sockets,
// interleaved (lib.interleave: warm-up pair, then none/200, 200/none, …), medians and paired ratios.

export const STREAM_SPEC = {
  name: 'bench: streams',
  workload: { id: 'fibonacci', params: { n: 15 } },
  tasks: 10_000,
  executors: ['threaded'],
  workers: [2],
  repetitions: 3,
  warmup: 1
}

/**
 * Runs first and is cancelled once the subscribers are connected: it keeps the measured job queued,
 * so that its per-job subscribers are attached before job.started. Both sides use it alike.
 */
const BLOCKER = {
  name: 'bench: streams gate',
  workload: { id: 'sleep', params: { ms: 60_000 } },
  tasks: 1,
  executors: ['serialized'],
  repetitions: 1,
  warmup: 0,
  taskTimeoutMs: 120_000
}

export const SUBSCRIBERS = { global: 100, job: 100 }
const WALL_GOAL = 1.05
const PROGRESS_GOAL = 10

interface JobSide {
  /** Σ wallMs of the job's recorded runs. */
  wallMs: number
  /** The job's startedAt → finishedAt (includes pool start-up and storing). */
  spanMs: number
  /** Median over the job's runs of the API thread's event-loop delay p99 (measured by measureRun). */
  loopP99Ms: number
  /** The cell's pool start-up (startupMs of its runs): inside spanMs, outside wallMs. */
  startupMs: number
  /** The server thread's event-loop utilization from job.started to the job's end (active ms, fraction). */
  eluActiveMs: number
  elu: number
  openMs?: number
  /** CPU the subscriber process used from connecting until it had every socket's terminal event. */
  clientCpuMs?: number
  sockets?: SocketSummary[]
  expected?: Record<string, number>
}

export interface StreamsResult {
  workload: string
  tasks: number
  subscribers: typeof SUBSCRIBERS
  jobs: { none: number, subscribed: number }
  wall: Comparison
  span: Comparison
  loopP99Ms: { none: Stat, subscribed: Stat }
  startupMs: { none: Stat, subscribed: Stat }
  eluActiveMs: { none: Stat, subscribed: Stat }
  elu: { none: Stat, subscribed: Stat }
  clientCpuMs: Stat
  openMs: Stat
  delivery: {
    sockets: number
    complete: number
    /** Up to 5 sockets that missed or duplicated a lifecycle event: expected vs received counts. */
    incomplete: Array<{ kind: string, expected: Record<string, number>, got: Record<string, number> }>
    jobSocketsClosed1000: number
    jobSockets: number
    seqErrors: number
    unexplainedGaps: number
    dropped: number
    maxLagMs: number
  }
  progress: { perSecMedian: number, perSecMax: number, peak1sMax: number, goal: string, met: boolean }
  otherCores: { none: Stat, subscribed: Stat }
  redone: { none: number, subscribed: number }
}

interface Comparison { none: Stat, subscribed: Stat, ratio: number, pairedRatio: number, goal: string, met: boolean }

function compare (none: number[], subscribed: number[]): Comparison {
  const a = stat(none)
  const b = stat(subscribed)
  const paired = stat(subscribed.map((v, i) => v / none[i])).median
  return { none: a, subscribed: b, ratio: round(b.median / a.median, 3), pairedRatio: round(paired, 3), goal: `≤ ${WALL_GOAL.toFixed(2)}×`, met: paired <= WALL_GOAL }
}

async function oneJob (svc: Service, child: Awaited<ReturnType<typeof forkChild>>, subscribe: boolean): Promise<JobSide> {
  const { app } = svc
  const blocker = await submitJob(app, BLOCKER)
  await runnerEvent(app, 'run.started', blocker)
  const id = await submitJob(app, STREAM_SPEC)
  const ended = jobEnded(app, id)
  let openMs: number | undefined
  if (subscribe) openMs = (await child.call<{ openMs: number }>({ cmd: 'open', base: svc.base, jobId: id, ...SUBSCRIBERS })).openMs
  const started = runnerEvent(app, 'job.started', id)
  const blockerEnded = jobEnded(app, blocker)
  const res = await app.inject({ method: 'POST', url: `/api/jobs/${blocker}/cancel` })
  if (res.statusCode !== 202) throw new Error(`bench: cancelling the gate job answered ${res.statusCode}: ${res.body}`)
  await blockerEnded
  await started
  const elu0 = performance.eventLoopUtilization()
  const outcome = await ended
  const elu = performance.eventLoopUtilization(elu0)
  const view = await jobView(app, id)
  if (outcome !== 'job.finished') throw new Error(`bench: streams job ended with ${outcome}: ${view.error}`)
  const runs: Array<{ wallMs: number, loopDelayP99Ms: number, startupMs: number, executor: string, workers: number }> = view.runs
  const cells = new Set(runs.map(r => `${r.executor}:${r.workers}`)).size
  const side: JobSide = {
    wallMs: runs.reduce((s, r) => s + r.wallMs, 0),
    spanMs: Date.parse(view.finishedAt) - Date.parse(view.startedAt),
    loopP99Ms: stat(runs.map(r => r.loopDelayP99Ms)).median,
    startupMs: stat(runs.map(r => r.startupMs)).median,
    eluActiveMs: elu.active,
    elu: elu.utilization
  }
  if (subscribe) {
    side.openMs = openMs
    const collected = await child.call<{ sockets: SocketSummary[], cpuMs: number }>({ cmd: 'collect' })
    side.sockets = collected.sockets
    side.clientCpuMs = collected.cpuMs
    side.expected = { 'job.started': 1, 'run.started': runs.length + cells * view.spec.warmup, 'run.finished': runs.length, 'job.finished': 1 }
  }
  return side
}

const complete = (s: SocketSummary, expected: Record<string, number>): boolean =>
  Object.entries(expected).every(([type, n]) => s.counts[type] === n) &&
  FINAL_EVENTS.filter(t => t !== 'job.finished').every(t => s.counts[t] === undefined)

export async function benchStreams (pairs: number): Promise<StreamsResult> {
  const t0 = performance.now()
  const svc = await startCorebench()
  const child = await forkChild('./streams-child.ts')
  try {
    const runs = await interleave(pairs, [
      async () => await oneJob(svc, child, false),
      async () => await oneJob(svc, child, true)
    ])
    const [none, subscribed] = runs.values
    phase(`streams: ${none.length + subscribed.length + 2} jobs (${runs.redone[0] + runs.redone[1]} redone) done`, t0)
    const sockets = subscribed.flatMap(j => (j.sockets ?? []).map(s => ({ s, expected: j.expected ?? {} })))
    const bad = sockets.filter(x => !complete(x.s, x.expected))
    const jobSockets = sockets.filter(x => x.s.kind === 'job')
    const perSec = sockets.map(x => x.s.progressPerSec)
    return {
      workload: `${STREAM_SPEC.workload.id} ${JSON.stringify(STREAM_SPEC.workload.params)}, ${STREAM_SPEC.executors.join('/')} × ${STREAM_SPEC.workers.join('/')} workers, ${STREAM_SPEC.repetitions} reps + ${STREAM_SPEC.warmup} warm-up`,
      tasks: STREAM_SPEC.tasks,
      subscribers: SUBSCRIBERS,
      jobs: { none: none.length, subscribed: subscribed.length },
      wall: compare(none.map(j => round(j.wallMs, 1)), subscribed.map(j => round(j.wallMs, 1))),
      span: compare(none.map(j => j.spanMs), subscribed.map(j => j.spanMs)),
      loopP99Ms: { none: stat(none.map(j => round(j.loopP99Ms))), subscribed: stat(subscribed.map(j => round(j.loopP99Ms))) },
      startupMs: { none: stat(none.map(j => round(j.startupMs, 0))), subscribed: stat(subscribed.map(j => round(j.startupMs, 0))) },
      eluActiveMs: { none: stat(none.map(j => round(j.eluActiveMs, 0))), subscribed: stat(subscribed.map(j => round(j.eluActiveMs, 0))) },
      elu: { none: stat(none.map(j => round(j.elu, 3))), subscribed: stat(subscribed.map(j => round(j.elu, 3))) },
      clientCpuMs: stat(subscribed.map(j => round(j.clientCpuMs ?? NaN, 0))),
      openMs: stat(subscribed.map(j => round(j.openMs ?? NaN, 1))),
      delivery: {
        sockets: sockets.length,
        complete: sockets.length - bad.length,
        incomplete: bad.slice(0, 5).map(x => ({ kind: x.s.kind, expected: x.expected, got: x.s.counts })),
        jobSocketsClosed1000: jobSockets.filter(x => x.s.closeCode === 1000).length,
        jobSockets: jobSockets.length,
        seqErrors: sockets.reduce((n, x) => n + x.s.seqErrors, 0),
        unexplainedGaps: sockets.reduce((n, x) => n + x.s.unexplainedGaps, 0),
        dropped: sockets.reduce((n, x) => n + x.s.dropped, 0),
        maxLagMs: Math.max(...sockets.map(x => x.s.maxLagMs))
      },
      progress: {
        perSecMedian: round(stat(perSec).median),
        perSecMax: round(Math.max(...perSec)),
        peak1sMax: Math.max(...sockets.map(x => x.s.progressPeak1s)),
        goal: `≤ ~${PROGRESS_GOAL}/s`,
        met: Math.max(...perSec) <= PROGRESS_GOAL
      },
      otherCores: { none: stat(runs.foreign[0]), subscribed: stat(runs.foreign[1]) },
      redone: { none: runs.redone[0], subscribed: runs.redone[1] }
    }
  } finally {
    await child.close()
    await svc.close()
  }
}
