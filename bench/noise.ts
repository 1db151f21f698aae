import { execFile, fork, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { canaryFigures, DEFAULT_DISTURBED, disturbedBy } from '../src/measure/disturbance.js'
import { countedRuns } from '../src/stats/disturbed.js'
import { describe } from '../src/stats/descriptive.js'
import { cores, rawPath, round, stat, type Stat } from './lib.js'
import { jobEnded, jobView, phase, startCorebench, submitJob } from './service.js'

// Issue 16 "Noise measured per run": does corebench add noise of its own? The CV of a CPU cell's
// runs (the serialized cell of a fibonacci job, every run on a fresh pool, as users run it) against
// the CV of a bare loop of the same work in one plain Node process. The two sides are interleaved
// run by run (A B A B …, the same count each), so both see the same disturbances of this shared VM:
// each corebench run is a job of one repetition (one fork: a warm-up and a recorded run, exactly
// one fork of a longer job), each bare run one timed loop in a process that stays up for the round.
// Goal: corebench's CV ≤ 1.1 × the bare loop's, as the median over rounds of the paired ratio.
// A third side, the bare fork, is the same loop in a fresh process per run (its warm-up, then one
// timed run): a corebench fork's shape without corebench. It separates what forking costs in
// noise (JIT decisions, memory layout, where the process lands) from what the instrument adds.
// corebench runs with the product's defaults: a run it flags disturbed is redone (REDO_DISTURBED).
// Each side is reported twice. As measured: every side's first try of each run, nothing redone,
// which is the instrument's own noise. Redone: the bare sides time the product's canary around each
// run too and are judged by the same canary rule (DISTURBED_CANARY_DRIFT), redone up to the same
// number of times, so that both sides get the same filter and the ratio still compares like with like. (Foreign CPU flags only corebench's runs: the bare sides do
// not read /proc; this bench runs on a quiet machine.)

const N = 30
const TASKS = 16
const GOAL = 1.1

export interface NoiseSettings {
  /** Rounds; figures are medians over rounds. */
  rounds: number
  /** Recorded runs per side per round. */
  runs: number
}

export const NOISE_DEFAULTS: NoiseSettings = { rounds: 5, runs: 15 }

/** One side of a round: its runs' first tries (as measured) and the runs that count after redos. */
export interface NoiseSide {
  walls: number[]
  cv: number
  /** The run that counts of each (the latest try not flagged, else the last), after redos. */
  counted: number[]
  countedCv: number
  /** Tries flagged disturbed, and redos made. */
  disturbed: number
  redos: number
  /** [before, after] canary of every try, ms. */
  canaries: Array<[before: number | null, after: number | null]>
}

export interface NoiseRound {
  corebench: NoiseSide & { maxForeignCpu: number | null }
  bare: NoiseSide
  /** A fresh bare process per run. */
  bareFork: NoiseSide
  /** corebench CV / bare CV of this round's interleaved runs, first tries. */
  ratio: number
  /** corebench CV / bare fork CV, first tries. */
  ratioFork: number
  /** The same with the runs that count after redos, each side judged by the same canary rules. */
  countedRatio: number
  countedRatioFork: number
  /** 1-minute load average at the end of the round. */
  loadAvg: number
}

export interface NoiseResult {
  work: string
  cores: number
  loadAvgStart: number[]
  loadAvgEnd: number[]
  rounds: NoiseRound[]
  corebenchCv: Stat
  bareCv: Stat
  bareForkCv: Stat
  /** Median over rounds of the paired ratio corebench CV / bare CV. */
  ratio: number
  /** Median over rounds of the paired ratio corebench CV / bare fork CV. */
  ratioFork: number
  /** Medians over rounds of the same with the runs that count after redos. */
  countedRatio: number
  countedRatioFork: number
  corebenchCountedCv: Stat
  bareCountedCv: Stat
  goal: string
  /** The goal on first tries (the instrument's own noise) and on the runs that count. */
  met: boolean
  countedMet: boolean
  /** bench/raw/slow-phases.mjs, one process after another: which canary kernel sees the slow phases. */
  slowPhases: SlowPhases[]
}

export interface SlowPhases {
  rows: number
  slowRows: number
  /** Slow-row / fast-row time of each canary kernel and of the workload unit; null without slow rows. */
  ratios: { xorshift: number, recursion: number, walk: number, unit: number } | null
}

const SLOW_PHASE_PROBES = 3
const SLOW_PHASE_SECONDS = 8

async function slowPhases (): Promise<SlowPhases[]> {
  const out: SlowPhases[] = []
  for (let i = 0; i < SLOW_PHASE_PROBES; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, [rawPath('slow-phases.mjs'), String(SLOW_PHASE_SECONDS)])
    out.push(JSON.parse(stdout) as SlowPhases)
  }
  return out
}

const cvOf = (walls: number[]): number => describe(walls).cv ?? NaN

interface BareRun { wallMs: number, canaryBeforeMs: number, canaryAfterMs: number }
interface BareLoop { run: () => Promise<BareRun>, close: () => Promise<void> }

/** The bare side: fib-serve.mjs under plain node (no tsx, no --expose-gc), warmed up once. */
async function bareLoop (): Promise<BareLoop> {
  const child: ChildProcess = fork(rawPath('fib-serve.mjs'), [String(N), String(TASKS)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [ready] = await once(child, 'message') as [{ ready?: boolean }]
  if (ready.ready !== true) throw new Error('bench: the bare loop did not start')
  return {
    run: async () => {
      const reply = once(child, 'message')
      child.send({})
      return (await reply)[0] as BareRun
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill()
      await exited
    }
  }
}

interface CorebenchRun { wallMs: number, disturbed: boolean, redo: number, warmup: boolean, foreignCpu: number | null, canaryBeforeMs: number | null, canaryAfterMs: number | null }

/** The corebench side: one job of one repetition (one fork) of the serialized cell; every try of its recorded run. */
async function corebenchRun (svc: Awaited<ReturnType<typeof startCorebench>>, repetitions = 1): Promise<CorebenchRun[]> {
  const id = await submitJob(svc.app, { name: 'bench: noise', workload: { id: 'fibonacci', params: { n: N } }, tasks: TASKS, executors: ['serialized'], repetitions, warmup: 1 })
  const ended = await jobEnded(svc.app, id, 600_000)
  if (ended !== 'job.finished') throw new Error(`bench: the noise job ended with ${ended}`)
  const view = await jobView(svc.app, id)
  return (view.runs as Array<CorebenchRun & { ok: boolean }>).filter(r => !r.warmup && r.ok)
}

/** The tries of one bare run, redone by the product's canary rule. */
async function bareTries (run: () => Promise<BareRun>, redos: number): Promise<Array<BareRun & { disturbed: boolean }>> {
  const tries: Array<BareRun & { disturbed: boolean }> = []
  for (let redo = 0; redo <= redos; redo++) {
    const r = await run()
    const disturbed = disturbedBy({ foreignCpu: null, steal: null, involuntarySwitches: 0, ...canaryFigures([r.canaryBeforeMs], [r.canaryAfterMs]) }, DEFAULT_DISTURBED) !== null
    tries.push({ ...r, disturbed })
    if (!disturbed) break
  }
  return tries
}

/** A side's round from the tries of each of its runs (first try first); the try that counts is the product's (countedRuns). */
function side (runs: Array<Array<{ wallMs: number, disturbed: boolean, canaryBeforeMs: number | null, canaryAfterMs: number | null }>>): NoiseSide {
  const walls = runs.map(t => (t[0] as { wallMs: number }).wallMs)
  const tries = runs.flatMap((t, fork) => t.map((x, redo) => ({ ...x, runtime: 'node', executor: 'serialized', workers: 1, fork, redo, warmup: false })))
  const counted = countedRuns(tries).map(x => x.wallMs)
  const all = runs.flat()
  return { walls, cv: cvOf(walls), counted, countedCv: cvOf(counted), disturbed: all.filter(x => x.disturbed).length, redos: all.length - runs.length, canaries: all.map((x): [number | null, number | null] => [x.canaryBeforeMs, x.canaryAfterMs]) }
}

export async function benchNoise (s: NoiseSettings = NOISE_DEFAULTS): Promise<NoiseResult> {
  const t0 = performance.now()
  const loadAvgStart = loadavg().map(v => round(v))
  // The product as users run it: the API with its supervised runner child, its default settings.
  const svc = await startCorebench({})
  const rounds: NoiseRound[] = []
  const redos = 2 // REDO_DISTURBED's default, for the bare sides
  try {
    await corebenchRun(svc, 2) // the runner child's start and first JIT out of the way
    for (let r = 0; r < s.rounds; r++) {
      const bare = await bareLoop()
      const ours: CorebenchRun[][] = []
      const theirs: Array<Array<BareRun & { disturbed: boolean }>> = []
      const forked: typeof theirs = []
      try {
        for (let i = 0; i < s.runs; i++) {
          ours.push((await corebenchRun(svc)).sort((a, b) => a.redo - b.redo))
          theirs.push(await bareTries(bare.run, redos))
          forked.push(await bareTries(async () => {
            const fresh = await bareLoop()
            try { return await fresh.run() } finally { await fresh.close() }
          }, redos))
        }
      } finally {
        await bare.close()
      }
      const foreign = ours.flat().map(x => x.foreignCpu).filter((v): v is number => v !== null)
      const corebench = { ...side(ours), maxForeignCpu: foreign.length === 0 ? null : round(Math.max(...foreign)) }
      const [b, f] = [side(theirs), side(forked)]
      const round_: NoiseRound = { corebench, bare: b, bareFork: f, ratio: corebench.cv / b.cv, ratioFork: corebench.cv / f.cv, countedRatio: corebench.countedCv / b.countedCv, countedRatioFork: corebench.countedCv / f.countedCv, loadAvg: round(loadavg()[0] ?? NaN) }
      rounds.push(round_)
      const p = (v: number): string => `${(v * 100).toFixed(1)} %`
      phase(`round ${r + 1}: first tries CV corebench ${p(corebench.cv)}, bare loop ${p(b.cv)}, bare fork ${p(f.cv)}: ratio ${round_.ratio.toFixed(2)}× (fork ${round_.ratioFork.toFixed(2)}×); redone (disturbed/redos: corebench ${corebench.disturbed}/${corebench.redos}, loop ${b.disturbed}/${b.redos}, fork ${f.disturbed}/${f.redos}) CV ${p(corebench.countedCv)}, ${p(b.countedCv)}, ${p(f.countedCv)}: ratio ${round_.countedRatio.toFixed(2)}× (fork ${round_.countedRatioFork.toFixed(2)}×); load ${round_.loadAvg}`, t0)
    }
  } finally {
    await svc.close()
  }
  const ratio = round(stat(rounds.map(r => r.ratio)).median, 3)
  const countedRatio = round(stat(rounds.map(r => r.countedRatio)).median, 3)
  phase(`slow phases: ${SLOW_PHASE_PROBES} processes × ${SLOW_PHASE_SECONDS} s of canary kernels beside a workload unit …`, t0)
  const probes = await slowPhases()
  return {
    work: `fibonacci(${N}) × ${TASKS} tasks, ${s.runs} runs per side per round interleaved A B C A B C … (corebench, bare loop, bare fork), ${s.rounds} rounds`,
    cores,
    loadAvgStart,
    loadAvgEnd: loadavg().map(v => round(v)),
    rounds,
    corebenchCv: stat(rounds.map(r => round(r.corebench.cv, 4))),
    bareCv: stat(rounds.map(r => round(r.bare.cv, 4))),
    bareForkCv: stat(rounds.map(r => round(r.bareFork.cv, 4))),
    ratio,
    ratioFork: round(stat(rounds.map(r => r.ratioFork)).median, 3),
    countedRatio,
    countedRatioFork: round(stat(rounds.map(r => r.countedRatioFork)).median, 3),
    corebenchCountedCv: stat(rounds.map(r => round(r.corebench.countedCv, 4))),
    bareCountedCv: stat(rounds.map(r => round(r.bare.countedCv, 4))),
    goal: `corebench CV ≤ ${GOAL} × bare loop CV (median over rounds of the paired ratio)`,
    met: ratio <= GOAL,
    countedMet: countedRatio <= GOAL,
    slowPhases: probes
  }
}

/** One line that says whether the goal is met, with the figures it rests on. */
export function noiseVerdict (r: NoiseResult): string {
  return `noise goal, first tries (the instrument's own noise): ${r.met ? 'MET' : 'NOT MET'}, corebench CV / bare loop CV = ${r.ratio.toFixed(2)}× (against a bare fork per run ${r.ratioFork.toFixed(2)}×); ` +
    `with disturbed runs redone on every side by the same canary rule: ${r.countedMet ? 'MET' : 'NOT MET'}, ${r.countedRatio.toFixed(2)}× (fork ${r.countedRatioFork.toFixed(2)}×); ` +
    `medians of ${r.rounds.length} rounds, goal ≤ ${GOAL}×, on ${r.cores} cores, load average ${r.loadAvgStart[0]} → ${r.loadAvgEnd[0]}`
}

export function noiseMarkdown (r: NoiseResult): string[] {
  const p = (v: number): string => `${(v * 100).toFixed(1)} %`
  const range = (s: Stat): string => `${p(s.median)} (${p(s.min)}–${p(s.max)})`
  const redone = (x: NoiseSide): string => `${x.disturbed}/${x.redos}`
  return ['', '## Noise: a CPU cell\'s CV against a bare loop (issue 16)', '',
    `${r.work}; ${r.cores} cores; load average ${r.loadAvgStart.join(' ')} at the start, ${r.loadAvgEnd.join(' ')} at the end.`, '',
    'First tries are every run as measured (nothing redone). Redone: each side\'s runs after the product\'s rule (a run whose canary drifted by more than ±50 %, or, for corebench only, with foreign CPU past 0.5 cores, is redone up to twice; the latest try not flagged counts). Flagged/redos per side.', '',
    '| round | CV corebench | CV bare loop | CV bare fork | ratio to the loop | ratio to the fork | redone: CV corebench | loop | fork | ratio to the loop | ratio to the fork | flagged/redos: corebench, loop, fork (max foreign CPU) | load (1 min) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.rounds.map((x, i) => `| ${i + 1} | ${p(x.corebench.cv)} | ${p(x.bare.cv)} | ${p(x.bareFork.cv)} | ${x.ratio.toFixed(2)}× | ${x.ratioFork.toFixed(2)}× | ${p(x.corebench.countedCv)} | ${p(x.bare.countedCv)} | ${p(x.bareFork.countedCv)} | ${x.countedRatio.toFixed(2)}× | ${x.countedRatioFork.toFixed(2)}× | ${redone(x.corebench)}, ${redone(x.bare)}, ${redone(x.bareFork)} (${x.corebench.maxForeignCpu ?? 'n/a'}) | ${x.loadAvg} |`),
    '', `Median CV, first tries: corebench ${range(r.corebenchCv)}, bare loop ${range(r.bareCv)}, bare fork ${range(r.bareForkCv)}; redone: corebench ${range(r.corebenchCountedCv)}, bare loop ${range(r.bareCountedCv)}.`,
    '', `**${noiseVerdict(r)}.**`,
    '', 'Slow phases (bench/raw/slow-phases.mjs): rows where a fib(28) × 4 unit took > 1.25× its median, and how much slower each candidate canary kernel (fastest of 3 passes) was in those rows than in fast ones. A kernel near 1.00× cannot see them. The product\'s canary is the recursion kernel, timed on each task thread (it was the xorshift one, on the runner\'s thread).', '',
    '| process | rows | slow rows | xorshift | recursion | pointer walk | the unit |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.slowPhases.map((x, i) => `| ${i + 1} | ${x.rows} | ${x.slowRows} | ${x.ratios === null ? '–' : `${x.ratios.xorshift.toFixed(2)}× | ${x.ratios.recursion.toFixed(2)}× | ${x.ratios.walk.toFixed(2)}× | ${x.ratios.unit.toFixed(2)}×`}${x.ratios === null ? ' | – | – | – |' : ' |'}`)]
}
