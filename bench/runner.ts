import type { Static } from '@sinclair/typebox'
import { availableParallelism } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import type { RunnerMode } from '../src/plugins/runner.js'
import type { RunSchema } from '../src/schemas/job-view.js'
import type { GoalRow } from './api.js'
import type { LoadResult, PollResult } from './api-load-child.js'
import { interleave, round, stat, type Interleaved, type Stat } from './lib.js'
import { forkChild, jobEnded, phase, startCorebench, submitJob, type Child, type Service } from './service.js'

// Issue 13: what moving the runner out of the API process bought, measured side by side in one run.
// Two apps live in this process for the whole suite, one per runner mode: 'inline' (the runner on the
// API's event loop, the design before issue 13) and 'child' (a supervised runner process, the
// product). Each measurement alternates between them (lib.interleave), so both see the same machine.
//   1. A dispatch-bound job (10 000 fib(1) tasks, threaded 2): the runner's thread hands out every
//      task, so anything else on that thread slows it. Tasks/s of its recorded runs in a quiet window
//      vs in a window of 50-connection closed-loop GETs of that job.
//   2. A `serialized` CPU cell (fib(30) × 16): one thread computes, so honest CPU accounting reads ~1
//      busy core. Busy cores and CPU time of its runs, quiet vs while 8 clients poll the job.
// The load comes from a forked child (api-load-child.ts), as in api.ts.

type Run = Static<typeof RunSchema>
const MODES = ['inline', 'child'] as const satisfies readonly RunnerMode[]
type Mode = typeof MODES[number]

export interface RunnerSettings {
  /** Recorded rounds per measurement (after one unrecorded warm-up round). */
  rounds: number
  /**
   * Each dispatch-job window (quiet or loaded) lasts at least `windowS` seconds and until `minRuns`
   * runs started and finished in it, but never past 3 × `windowS` (a slow machine gets fewer runs).
   */
  windowS: number
  minRuns: number
}

export const RUNNER_DEFAULTS: RunnerSettings = { rounds: 3, windowS: 6, minRuns: 3 }
/** `--quick`: checks that the suite works end to end; its figures are not worth reading. */
export const RUNNER_QUICK: RunnerSettings = { rounds: 1, windowS: 2, minRuns: 1 }

const CONNECTIONS = 50
const POLLERS = 8
const BUSY_GOAL = 1.03
const CPU_GOAL_PCT = 10

/**
 * Each run on a fresh pool (warmup 0: the recorded run is the pool's first). The default cap on
 * repetitions: the job lasts well past any window and is cancelled at the window's end.
 */
export const DISPATCH_SPEC = {
  name: 'bench: runner dispatch',
  workload: { id: 'fibonacci', params: { n: 1 } },
  tasks: 10_000,
  executors: ['threaded'],
  workers: [2],
  repetitions: 50,
  warmup: 0
}

export const SERIAL_SPEC = {
  name: 'bench: runner serialized',
  workload: { id: 'fibonacci', params: { n: 30 } },
  tasks: 16,
  executors: ['serialized'],
  repetitions: 5,
  warmup: 1
}

interface DispatchSample {
  /** Median over the runs that started and finished inside the window; NaN when none did. */
  tasksPerSec: number
  runs: number
  windowS: number
  /** The job was still running when the window closed (else the window was not covered). */
  covered: boolean
  load?: LoadResult
}

interface SerialSample {
  busyCores: number[]
  cpuMs: number[]
  wallMs: number[]
  poll?: PollResult
}

export interface DispatchMode {
  /** Per recorded round: tasks/s (median of the window's runs). */
  quiet: Stat
  loaded: Stat
  /** loaded ÷ quiet: of the medians, and the median of the per-round ratios. */
  ratio: number
  pairedRatio: number
  runs: { quiet: number, loaded: number }
  /** Seconds per window, median over rounds. */
  windowS: { quiet: number, loaded: number }
  uncovered: number
  /** The GET load the API served meanwhile: 2xx/s per round, non-2xx and errors over all rounds. */
  reqPerSec: Stat
  non2xx: number
  /** Non-2xx responses by status code, over all rounds. */
  codes: Record<string, number>
  errors: number
  generatorCores: number
  otherCores: { quiet: Stat, loaded: Stat }
  redone: { quiet: number, loaded: number }
}

export interface SerialCondition {
  /** Over every recorded run of every round: the runs' `busyCores` (CPU ÷ wall). */
  busyCores: Stat
  /** cpuUserMs + cpuSystemMs per run. */
  cpuMs: Stat
  wallMs: Stat
  otherCores: Stat
  redone: number
}

export interface SerialMode {
  quiet: SerialCondition
  polled: SerialCondition
  /** (median CPU polled ÷ median CPU quiet − 1) × 100. */
  cpuDiffPct: number
  pollPerSec: Stat
  /** Polls that failed (non-2xx or a network error), and the non-2xx by status code. */
  pollErrors: number
  pollCodes: Record<string, number>
}

export interface RunnerResult {
  settings: RunnerSettings & { connections: number, pollers: number, cores: number }
  dispatch: { workload: string, tasks: number, modes: Record<Mode, DispatchMode>, childOverInline: { quiet: number, loaded: number } }
  serialized: { workload: string, tasks: number, repetitions: number, modes: Record<Mode, SerialMode> }
  goals: GoalRow[]
}

/** Every run.finished of a job, as the bus delivers it (and to `onRun`); attach before the job can run. */
function collectRuns (app: FastifyInstance, onRun: (jobId: string, run: Run) => void = () => {}): { runs: (id: string) => Run[], off: () => void } {
  const all: Array<{ jobId: string, run: Run }> = []
  const off = app.bus.subscribe(e => {
    if (e.type !== 'run.finished') return
    all.push({ jobId: e.jobId, run: e.data as Run })
    onRun(e.jobId, e.data as Run)
  })
  return { runs: id => all.filter(x => x.jobId === id).map(x => x.run), off }
}

/**
 * True when the job was still queued or running. Through the app's job control, not HTTP: a refused
 * request (503 on a starved machine, see submitJob) would leave a 50-fork job running for minutes.
 */
async function cancel (app: FastifyInstance, id: string): Promise<boolean> {
  return await app.jobs.cancel(id) !== 'not-active'
}

/**
 * One dispatch-bound job through a window (see RunnerSettings), quiet or under closed-loop GETs of
 * the job itself; the job is cancelled when the window closes. Only runs wholly inside the window count.
 */
async function dispatchWindow (svc: Service, child: Child, loaded: boolean, windowS: number, minRuns: number): Promise<DispatchSample> {
  const { app } = svc
  let id = ''
  let t0 = Infinity
  let counted = 0
  let enough = (): void => {}
  const runsDone = new Promise<void>(resolve => { enough = resolve })
  if (minRuns === 0) enough()
  const c = collectRuns(app, (jobId, run) => { if (jobId === id && Date.parse(run.startedAt) >= t0 && ++counted >= minRuns) enough() })
  // The window's timers must not outlive it (they would hold the process open at the end).
  const timers = new AbortController()
  const { signal } = timers
  try {
    id = await submitJob(app, DISPATCH_SPEC)
    const ended = jobEnded(app, id, 600_000)
    t0 = Date.now()
    if (loaded) await child.call({ cmd: 'start', opts: { url: `${svc.base}/api/jobs/${id}`, connections: CONNECTIONS, duration: windowS * 3 + 5 } })
    await Promise.race([Promise.all([delay(windowS * 1000, undefined, { signal }), runsDone]), delay(windowS * 3000, undefined, { signal }), ended])
    const t1 = Date.now()
    const load = loaded ? (await child.call<{ result: LoadResult }>({ cmd: 'stop' })).result : undefined
    const covered = await cancel(app, id)
    await ended
    const tps = c.runs(id)
      .filter(r => r.ok && Date.parse(r.startedAt) >= t0 && Date.parse(r.finishedAt) <= t1)
      .map(r => r.tasks / (r.wallMs / 1000))
    return { tasksPerSec: tps.length === 0 ? NaN : Math.round(stat(tps).median), runs: tps.length, windowS: round((t1 - t0) / 1000, 1), covered, load }
  } finally {
    timers.abort()
    c.off()
  }
}

/** One serialized job from submit to its end, quiet or with POLLERS clients polling it all along. */
async function serialJob (svc: Service, child: Child, polled: boolean, repetitions: number): Promise<SerialSample> {
  const { app } = svc
  const c = collectRuns(app)
  try {
    const id = await submitJob(app, { ...SERIAL_SPEC, repetitions })
    const ended = jobEnded(app, id, 600_000)
    if (polled) await child.call({ cmd: 'poll-start', url: `${svc.base}/api/jobs/${id}`, clients: POLLERS })
    const outcome = await ended
    const poll = polled ? (await child.call<{ result: PollResult }>({ cmd: 'poll-stop' })).result : undefined
    if (outcome !== 'job.finished') throw new Error(`bench: the serialized job ended with ${outcome}`)
    const runs = c.runs(id).filter(r => !r.warmup)
    if (runs.length !== repetitions || runs.some(r => !r.ok)) throw new Error(`bench: the serialized job recorded ${runs.length} runs (${runs.filter(r => !r.ok).length} failed), expected ${repetitions}`)
    return { busyCores: runs.map(r => r.busyCores), cpuMs: runs.map(r => r.cpuUserMs + r.cpuSystemMs), wallMs: runs.map(r => r.wallMs), poll }
  } finally {
    c.off()
  }
}

/** Until the app's runner has started and waits for jobs (a runner child takes a second or two under tsx). */
async function runnerIdle (app: FastifyInstance, timeoutMs = 60_000): Promise<void> {
  const until = performance.now() + timeoutMs
  while (app.runnerState()?.state !== 'idle') {
    if (performance.now() > until) throw new Error(`bench: the runner is not idle after ${timeoutMs} ms: ${JSON.stringify(app.runnerState())}`)
    await delay(50)
  }
}

/** Side i of a 4-side interleave ordered [inline quiet, inline loaded, child quiet, child loaded]. */
const sideOf = (m: number, loaded: boolean): number => m * 2 + (loaded ? 1 : 0)
const foreignOf = <T>(r: Interleaved<T>, i: number): Stat => stat(r.foreign[i])

/**
 * The four sides of one measurement, each logging its result on stderr. lib.interleave runs every
 * side once, unrecorded, before the rounds: `first` lets that call be cheap.
 */
function sides<T> (what: string, conditions: [string, string], run: (svc: Service, loaded: boolean, first: boolean) => Promise<T>, show: (v: T) => string, svcs: Service[], t0: number): Array<() => Promise<T>> {
  return svcs.flatMap((svc, m) => [false, true].map(loaded => {
    let calls = 0
    return async () => {
      const first = calls++ === 0
      const v = await run(svc, loaded, first)
      phase(`runner: ${what} ${MODES[m]} ${conditions[loaded ? 1 : 0]}${first ? ' (warm-up)' : ''}: ${show(v)}`, t0)
      return v
    }
  }))
}

/** Non-2xx status codes summed over load runs (on a starved machine, 503s from under-pressure: see submitJob). */
function non2xxCodes (runs: Array<{ statusCodes: Record<string, number> }>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of runs) {
    for (const [code, n] of Object.entries(r.statusCodes)) if (!code.startsWith('2')) out[code] = (out[code] ?? 0) + n
  }
  return out
}

function dispatchMode (r: Interleaved<DispatchSample>, m: number): DispatchMode {
  const q = r.values[sideOf(m, false)]
  const l = r.values[sideOf(m, true)]
  const quiet = stat(q.map(x => x.tasksPerSec))
  const loaded = stat(l.map(x => x.tasksPerSec))
  const loads = l.map(x => x.load).filter(x => x !== undefined)
  return {
    quiet,
    loaded,
    ratio: round(loaded.median / quiet.median, 3),
    pairedRatio: round(stat(l.map((x, i) => x.tasksPerSec / q[i].tasksPerSec)).median, 3),
    runs: { quiet: q.reduce((n, x) => n + x.runs, 0), loaded: l.reduce((n, x) => n + x.runs, 0) },
    windowS: { quiet: stat(q.map(x => x.windowS)).median, loaded: stat(l.map(x => x.windowS)).median },
    uncovered: [...q, ...l].filter(x => !x.covered).length,
    reqPerSec: stat(loads.map(x => Math.round(x.okPerSec))),
    non2xx: loads.reduce((n, x) => n + x.non2xx, 0),
    codes: non2xxCodes(loads),
    errors: loads.reduce((n, x) => n + x.errors + x.timeouts, 0),
    generatorCores: round(stat(loads.map(x => x.generatorCores)).median),
    otherCores: { quiet: foreignOf(r, sideOf(m, false)), loaded: foreignOf(r, sideOf(m, true)) },
    redone: { quiet: r.redone[sideOf(m, false)], loaded: r.redone[sideOf(m, true)] }
  }
}

function serialMode (r: Interleaved<SerialSample>, m: number): SerialMode {
  const cond = (i: number): SerialCondition => {
    const v = r.values[i]
    return {
      busyCores: stat(v.flatMap(x => x.busyCores.map(b => round(b, 3)))),
      cpuMs: stat(v.flatMap(x => x.cpuMs.map(c => round(c, 1)))),
      wallMs: stat(v.flatMap(x => x.wallMs.map(w => round(w, 1)))),
      otherCores: foreignOf(r, i),
      redone: r.redone[i]
    }
  }
  const quiet = cond(sideOf(m, false))
  const polled = cond(sideOf(m, true))
  const polls = r.values[sideOf(m, true)].map(x => x.poll).filter(x => x !== undefined)
  return {
    quiet,
    polled,
    cpuDiffPct: round((polled.cpuMs.median / quiet.cpuMs.median - 1) * 100, 1),
    pollPerSec: stat(polls.map(x => Math.round(x.okPerSec))),
    pollErrors: polls.reduce((n, x) => n + x.non2xx + x.errors, 0),
    pollCodes: non2xxCodes(polls)
  }
}

function goals (d: RunnerResult['dispatch'], s: RunnerResult['serialized']): GoalRow[] {
  const f = (v: number, digits = 2): string => Number.isFinite(v) ? v.toFixed(digits) : 'n/a'
  const busy = (c: SerialCondition): string => `${f(c.busyCores.median)} (max ${f(c.busyCores.max)})`
  const { inline, child } = s.modes
  const cpuOk = (m: SerialMode): boolean => Math.abs(m.cpuDiffPct) <= CPU_GOAL_PCT
  return [
    { check: 'runner: serialized fib(30) busy cores, quiet server, median (max)', value: `child ${busy(child.quiet)} · inline ${busy(inline.quiet)}`, goal: `≤ ${BUSY_GOAL} in child mode`, met: child.quiet.busyCores.median <= BUSY_GOAL },
    { check: `runner: serialized fib(30) busy cores, ${POLLERS} clients polling the job, median (max)`, value: `child ${busy(child.polled)} · inline ${busy(inline.polled)}`, goal: `≤ ${BUSY_GOAL} in child mode`, met: child.polled.busyCores.median <= BUSY_GOAL },
    { check: `runner: serialized fib(30) CPU ms per run, polled vs quiet (median)`, value: `child ${f(child.cpuDiffPct, 1)} % · inline ${f(inline.cpuDiffPct, 1)} %`, goal: `within ±${CPU_GOAL_PCT} % in child mode`, met: cpuOk(child) },
    { check: `runner: dispatch-bound job tasks/s, ${CONNECTIONS}-connection GET load ÷ quiet (paired median)`, value: `child ${f(d.modes.child.pairedRatio)}× · inline ${f(d.modes.inline.pairedRatio)}×`, goal: '—', met: null },
    { check: 'runner: dispatch-bound job tasks/s, child ÷ inline (medians), quiet / loaded', value: `${f(d.childOverInline.quiet)}× / ${f(d.childOverInline.loaded)}×`, goal: '—', met: null }
  ]
}

export async function benchRunner (s: RunnerSettings = RUNNER_DEFAULTS): Promise<RunnerResult> {
  const t0 = performance.now()
  const svcs: Service[] = []
  let child: Child | undefined
  try {
    for (const mode of MODES) svcs.push(await startCorebench({}, mode))
    for (const svc of svcs) await runnerIdle(svc.app)
    child = await forkChild('./api-load-child.ts')
    const gen = child
    phase(`runner: ${MODES.join(' and ')} apps up`, t0)

    const d = await interleave(s.rounds, sides('dispatch', ['quiet', 'loaded'], async (svc, loaded, first) => await dispatchWindow(svc, gen, loaded, first ? 1 : s.windowS, first ? 0 : s.minRuns),
      v => `${v.tasksPerSec} tasks/s over ${v.runs} runs in ${v.windowS} s${v.load !== undefined ? `, ${Math.round(v.load.okPerSec)} GET/s` : ''}`, svcs, t0))
    const dispatchModes = { inline: dispatchMode(d, 0), child: dispatchMode(d, 1) }
    const dispatch: RunnerResult['dispatch'] = {
      workload: `fibonacci ${JSON.stringify(DISPATCH_SPEC.workload.params)}`,
      tasks: DISPATCH_SPEC.tasks,
      modes: dispatchModes,
      childOverInline: {
        quiet: round(dispatchModes.child.quiet.median / dispatchModes.inline.quiet.median, 3),
        loaded: round(dispatchModes.child.loaded.median / dispatchModes.inline.loaded.median, 3)
      }
    }
    phase('runner: dispatch-bound job quiet vs loaded done', t0)

    const sr = await interleave(s.rounds, sides('serialized', ['quiet', 'polled'], async (svc, polled, first) => await serialJob(svc, gen, polled, first ? 1 : SERIAL_SPEC.repetitions),
      v => `busy cores ${v.busyCores.map(b => b.toFixed(2)).join(' ')}${v.poll !== undefined ? `, ${Math.round(v.poll.okPerSec)} polls/s` : ''}`, svcs, t0))
    const serialized: RunnerResult['serialized'] = {
      workload: `fibonacci ${JSON.stringify(SERIAL_SPEC.workload.params)}`,
      tasks: SERIAL_SPEC.tasks,
      repetitions: SERIAL_SPEC.repetitions,
      modes: { inline: serialMode(sr, 0), child: serialMode(sr, 1) }
    }
    phase('runner: serialized cell quiet vs polled done', t0)
    return {
      settings: { ...s, connections: CONNECTIONS, pollers: POLLERS, cores: availableParallelism() },
      dispatch,
      serialized,
      goals: goals(dispatch, serialized)
    }
  } catch (err) {
    // Said before the apps close, which can take a while (or fail) with a job still running.
    phase(`runner: failed: ${(err as Error).message}`, t0)
    throw err
  } finally {
    await child?.close()
    for (const svc of svcs) await svc.close()
  }
}
