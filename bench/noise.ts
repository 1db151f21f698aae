import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { promisify } from 'node:util'
import { describe } from '../src/stats/descriptive.js'
import { cores, rawPath, round, stat, type Stat } from './lib.js'
import { jobEnded, jobView, phase, startCorebench, submitJob } from './service.js'

// Issue 16 "Noise measured per run": does corebench add noise of its own? The CV of a CPU cell's
// runs (the serialized cell of one fibonacci job, every run on a fresh pool, as users run it) side
// by side with the CV of a bare loop of the same work repeated in one plain Node process, in the
// same minute, alternately first. Goal: corebench's CV ≤ 1.1 × the bare loop's (median of rounds).
// Disturbed runs are not redone here (REDO_DISTURBED=0): this compares the instrument's noise, not
// its filtering; the disturbed runs are counted instead.

const N = 30
const TASKS = 16
const GOAL = 1.1

export interface NoiseSettings {
  /** Rounds (one job and one bare loop each); figures are medians over rounds. */
  rounds: number
  /** Recorded runs per job and per bare loop. */
  runs: number
}

export const NOISE_DEFAULTS: NoiseSettings = { rounds: 5, runs: 15 }

export interface NoiseRound { corebench: { walls: number[], cv: number, disturbed: number, maxForeignCpu: number | null }, bare: { walls: number[], cv: number }, ratio: number }

export interface NoiseResult {
  work: string
  cores: number
  loadAvgStart: number[]
  loadAvgEnd: number[]
  rounds: NoiseRound[]
  corebenchCv: Stat
  bareCv: Stat
  /** Median over rounds of corebench CV / bare CV in the same round. */
  ratio: number
  goal: string
  met: boolean
}

const cvOf = (walls: number[]): number => describe(walls).cv ?? NaN

async function bareLoop (runs: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [rawPath('fib-loop.mjs'), String(N), String(TASKS), String(runs)], { encoding: 'utf8' })
  return (JSON.parse(stdout) as { walls: number[] }).walls
}

async function corebenchCell (svc: Awaited<ReturnType<typeof startCorebench>>, runs: number): Promise<NoiseRound['corebench']> {
  const id = await submitJob(svc.app, { name: 'bench: noise', workload: { id: 'fibonacci', params: { n: N } }, tasks: TASKS, executors: ['serialized'], repetitions: runs, warmup: 1 })
  const ended = await jobEnded(svc.app, id, 600_000)
  if (ended !== 'job.finished') throw new Error(`bench: the noise job ended with ${ended}`)
  const view = await jobView(svc.app, id)
  const recorded = (view.runs as Array<{ warmup: boolean, ok: boolean, wallMs: number, disturbed: boolean, foreignCpu: number | null }>).filter(r => !r.warmup && r.ok)
  const walls = recorded.map(r => r.wallMs)
  const foreign = recorded.map(r => r.foreignCpu).filter((v): v is number => v !== null)
  return { walls, cv: cvOf(walls), disturbed: recorded.filter(r => r.disturbed).length, maxForeignCpu: foreign.length === 0 ? null : round(Math.max(...foreign)) }
}

export async function benchNoise (s: NoiseSettings = NOISE_DEFAULTS): Promise<NoiseResult> {
  const t0 = performance.now()
  const loadAvgStart = loadavg().map(v => round(v))
  // The product as users run it: the API with its supervised runner child.
  const svc = await startCorebench({ REDO_DISTURBED: '0' })
  const rounds: NoiseRound[] = []
  try {
    await corebenchCell(svc, 2) // the runner child's start and first JIT out of the way
    for (let r = 0; r < s.rounds; r++) {
      // Alternately first, so that a slow drift of the VM does not always land on one side.
      let corebench: NoiseRound['corebench'] | undefined
      let bare: number[] | undefined
      if (r % 2 === 0) { corebench = await corebenchCell(svc, s.runs); bare = await bareLoop(s.runs) } else { bare = await bareLoop(s.runs); corebench = await corebenchCell(svc, s.runs) }
      const round_: NoiseRound = { corebench, bare: { walls: bare, cv: cvOf(bare) }, ratio: corebench.cv / cvOf(bare) }
      rounds.push(round_)
      phase(`round ${r + 1}: corebench CV ${(corebench.cv * 100).toFixed(1)} % (${corebench.disturbed} disturbed), bare loop ${(round_.bare.cv * 100).toFixed(1)} %`, t0)
    }
  } finally {
    await svc.close()
  }
  const ratio = round(stat(rounds.map(r => r.ratio)).median, 3)
  return {
    work: `fibonacci(${N}) × ${TASKS} tasks, ${s.runs} runs per side per round, ${s.rounds} rounds`,
    cores,
    loadAvgStart,
    loadAvgEnd: loadavg().map(v => round(v)),
    rounds,
    corebenchCv: stat(rounds.map(r => round(r.corebench.cv, 4))),
    bareCv: stat(rounds.map(r => round(r.bare.cv, 4))),
    ratio,
    goal: `corebench CV ≤ ${GOAL} × bare loop CV`,
    met: ratio <= GOAL
  }
}

export function noiseMarkdown (r: NoiseResult): string[] {
  const p = (v: number): string => `${(v * 100).toFixed(1)} %`
  const range = (s: Stat): string => `${p(s.median)} (${p(s.min)}–${p(s.max)})`
  return ['', '## Noise: a CPU cell\'s CV against a bare loop (issue 16)', '',
    `${r.work}; ${r.cores} cores; load average ${r.loadAvgStart.join(' ')} at the start, ${r.loadAvgEnd.join(' ')} at the end.`, '',
    '| round | corebench CV | bare loop CV | ratio | disturbed runs (max foreign CPU, cores) |', '| --- | --- | --- | --- | --- |',
    ...r.rounds.map((x, i) => `| ${i + 1} | ${p(x.corebench.cv)} | ${p(x.bare.cv)} | ${x.ratio.toFixed(2)}× | ${x.corebench.disturbed} (${x.corebench.maxForeignCpu ?? 'n/a'}) |`),
    '', `Median CV: corebench ${range(r.corebenchCv)}, bare loop ${range(r.bareCv)}; ratio (median of rounds) ${r.ratio.toFixed(2)}×. Goal: ${r.goal}: ${r.met ? 'met' : '**not met**'}.`]
}
