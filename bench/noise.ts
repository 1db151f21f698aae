import { execFile, fork, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { once } from 'node:events'
import { loadavg } from 'node:os'
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
// Disturbed runs are not redone here (REDO_DISTURBED=0): this compares the instrument's noise, not
// its filtering; the disturbed runs are counted instead.

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

export interface NoiseRound {
  corebench: { walls: number[], cv: number, disturbed: number, maxForeignCpu: number | null, canaries: Array<[before: number | null, after: number | null]> }
  bare: { walls: number[], cv: number }
  /** A fresh bare process per run. */
  bareFork: { walls: number[], cv: number }
  /** corebench CV / bare CV of this round's interleaved runs. */
  ratio: number
  /** corebench CV / bare fork CV. */
  ratioFork: number
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
  goal: string
  met: boolean
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

interface BareLoop { run: () => Promise<number>, close: () => Promise<void> }

/** The bare side: fib-serve.mjs under plain node (no tsx, no --expose-gc), warmed up once. */
async function bareLoop (): Promise<BareLoop> {
  const child: ChildProcess = fork(rawPath('fib-serve.mjs'), [String(N), String(TASKS)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [ready] = await once(child, 'message') as [{ ready?: boolean }]
  if (ready.ready !== true) throw new Error('bench: the bare loop did not start')
  return {
    run: async () => {
      const reply = once(child, 'message')
      child.send({})
      return ((await reply)[0] as { wallMs: number }).wallMs
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill()
      await exited
    }
  }
}

interface CorebenchRun { wallMs: number, disturbed: boolean, foreignCpu: number | null, canaryBeforeMs: number | null, canaryAfterMs: number | null }

/** The corebench side: one job of one repetition (one fork) of the serialized cell; its recorded run. */
async function corebenchRun (svc: Awaited<ReturnType<typeof startCorebench>>, repetitions = 1): Promise<CorebenchRun[]> {
  const id = await submitJob(svc.app, { name: 'bench: noise', workload: { id: 'fibonacci', params: { n: N } }, tasks: TASKS, executors: ['serialized'], repetitions, warmup: 1 })
  const ended = await jobEnded(svc.app, id, 600_000)
  if (ended !== 'job.finished') throw new Error(`bench: the noise job ended with ${ended}`)
  const view = await jobView(svc.app, id)
  return (view.runs as Array<CorebenchRun & { warmup: boolean, ok: boolean }>).filter(r => !r.warmup && r.ok)
}

export async function benchNoise (s: NoiseSettings = NOISE_DEFAULTS): Promise<NoiseResult> {
  const t0 = performance.now()
  const loadAvgStart = loadavg().map(v => round(v))
  // The product as users run it: the API with its supervised runner child.
  const svc = await startCorebench({ REDO_DISTURBED: '0' })
  const rounds: NoiseRound[] = []
  try {
    await corebenchRun(svc, 2) // the runner child's start and first JIT out of the way
    for (let r = 0; r < s.rounds; r++) {
      const bare = await bareLoop()
      const ours: CorebenchRun[] = []
      const theirs: number[] = []
      const forked: number[] = []
      try {
        for (let i = 0; i < s.runs; i++) {
          ours.push(...await corebenchRun(svc))
          theirs.push(await bare.run())
          const fresh = await bareLoop()
          try { forked.push(await fresh.run()) } finally { await fresh.close() }
        }
      } finally {
        await bare.close()
      }
      const walls = ours.map(x => x.wallMs)
      const foreign = ours.map(x => x.foreignCpu).filter((v): v is number => v !== null)
      const corebench = { walls, cv: cvOf(walls), disturbed: ours.filter(x => x.disturbed).length, maxForeignCpu: foreign.length === 0 ? null : round(Math.max(...foreign)), canaries: ours.map((x): [number | null, number | null] => [x.canaryBeforeMs, x.canaryAfterMs]) }
      const round_: NoiseRound = { corebench, bare: { walls: theirs, cv: cvOf(theirs) }, bareFork: { walls: forked, cv: cvOf(forked) }, ratio: corebench.cv / cvOf(theirs), ratioFork: corebench.cv / cvOf(forked), loadAvg: round(loadavg()[0] ?? NaN) }
      rounds.push(round_)
      phase(`round ${r + 1}: corebench CV ${(corebench.cv * 100).toFixed(1)} % (${corebench.disturbed} disturbed), bare loop ${(round_.bare.cv * 100).toFixed(1)} %, bare fork ${(round_.bareFork.cv * 100).toFixed(1)} %, ratio ${round_.ratio.toFixed(2)}× (to the bare fork ${round_.ratioFork.toFixed(2)}×), load ${round_.loadAvg}`, t0)
    }
  } finally {
    await svc.close()
  }
  const ratio = round(stat(rounds.map(r => r.ratio)).median, 3)
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
    goal: `corebench CV ≤ ${GOAL} × bare loop CV (median over rounds of the paired ratio)`,
    met: ratio <= GOAL,
    slowPhases: probes
  }
}

/** One line that says whether the goal is met, with the figures it rests on. */
export function noiseVerdict (r: NoiseResult): string {
  return `noise goal ${r.met ? 'MET' : 'NOT MET'}: corebench CV / bare loop CV = ${r.ratio.toFixed(2)}× (median of ${r.rounds.length} rounds; goal ≤ ${GOAL}×; against a bare fork per run ${r.ratioFork.toFixed(2)}×) on ${r.cores} cores, load average ${r.loadAvgStart[0]} → ${r.loadAvgEnd[0]}`
}

export function noiseMarkdown (r: NoiseResult): string[] {
  const p = (v: number): string => `${(v * 100).toFixed(1)} %`
  const range = (s: Stat): string => `${p(s.median)} (${p(s.min)}–${p(s.max)})`
  return ['', '## Noise: a CPU cell\'s CV against a bare loop (issue 16)', '',
    `${r.work}; ${r.cores} cores; load average ${r.loadAvgStart.join(' ')} at the start, ${r.loadAvgEnd.join(' ')} at the end.`, '',
    '| round | corebench CV | bare loop CV | bare fork CV | ratio to the loop | ratio to the fork | disturbed runs (max foreign CPU, cores) | load (1 min) |', '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.rounds.map((x, i) => `| ${i + 1} | ${p(x.corebench.cv)} | ${p(x.bare.cv)} | ${p(x.bareFork.cv)} | ${x.ratio.toFixed(2)}× | ${x.ratioFork.toFixed(2)}× | ${x.corebench.disturbed} (${x.corebench.maxForeignCpu ?? 'n/a'}) | ${x.loadAvg} |`),
    '', `Median CV: corebench ${range(r.corebenchCv)}, bare loop ${range(r.bareCv)}, bare fork ${range(r.bareForkCv)}; paired ratio (median of rounds) ${r.ratio.toFixed(2)}× to the loop, ${r.ratioFork.toFixed(2)}× to the fork.`,
    '', `**${noiseVerdict(r)}.**`,
    '', 'Slow phases (bench/raw/slow-phases.mjs): rows where a fib(28) × 4 unit took > 1.25× its median, and how much slower each canary kernel (fastest of 3 passes) was in those rows than in fast ones. A kernel near 1.00× cannot see them; the product\'s canary is the xorshift one.', '',
    '| process | rows | slow rows | xorshift | recursion | pointer walk | the unit |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.slowPhases.map((x, i) => `| ${i + 1} | ${x.rows} | ${x.slowRows} | ${x.ratios === null ? '–' : `${x.ratios.xorshift.toFixed(2)}× | ${x.ratios.recursion.toFixed(2)}× | ${x.ratios.walk.toFixed(2)}× | ${x.ratios.unit.toFixed(2)}×`}${x.ratios === null ? ' | – | – | – |' : ' |'}`)]
}
