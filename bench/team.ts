import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startCluster } from '../test/helpers/postgres.js'
import { cores, interleave, round, stat, type Stat } from './lib.js'
import { jobEnded, jobView, phase, startCorebench, submitJob, type Service } from './service.js'

// Issue 14, "the database is not on the measured path": the same small jobs measured by a runner in
// single-machine mode (SQLite; the server's supervised runner child) and by a runner in team mode
// (PostgreSQL, an embedded cluster; an API with RUNNER=off and a runner process started by hand, its
// events over LISTEN/NOTIFY), side by side in one process run, alternately first (lib.interleave).
// Both runners run under tsx from this process, with the same settings; only the database differs.
// Per round and side: a CPU job (a serialized and a threaded cell) and a dispatch-bound job.

const CPU_SPEC = { name: 'bench: team cpu', workload: { id: 'fibonacci', params: { n: 27 } }, tasks: 16, executors: ['serialized', 'threaded'], workers: [2], repetitions: 3, warmup: 1 }
const DISPATCH_SPEC = { name: 'bench: team dispatch', workload: { id: 'fibonacci', params: { n: 1 } }, tasks: 5000, executors: ['threaded'], workers: [2], repetitions: 3, warmup: 1 }
/** Same on both sides: no redo of disturbed runs (both would redo differently on a shared machine). */
const RUNNER_ENV = { REDO_DISTURBED: '0' }
/** A ratio within this of 1 counts as "equal within noise" (the VM's own run-to-run spread is 12–23 %, STACK.md). */
const NOISE = 0.10

export interface TeamRow {
  /** What is compared: a cell's wall time or busy cores, or the dispatch job's tasks/s. */
  name: string
  unit: string
  /** Per round: the median over that job's recorded runs. */
  single: Stat
  team: Stat
  /** median(team) / median(single), and the median of the per-round ratios. */
  ratio: number
  pairedRatio: number
}

export interface TeamResult {
  cores: number
  loadAvgStart: number[]
  loadAvgEnd: number[]
  rounds: number
  rows: TeamRow[]
  /** Cores other processes kept busy during the recorded jobs, and jobs redone because of it. */
  otherCores: Stat
  redone: number
  goal: string
  met: boolean
}

type Figures = Record<string, number>

/** One job on one side: per figure, the median over its recorded runs. */
async function measureJob (svc: Service, spec: typeof CPU_SPEC): Promise<Figures> {
  const id = await submitJob(svc.app, spec)
  const ended = await jobEnded(svc.app, id, 300_000)
  if (ended !== 'job.finished') throw new Error(`bench: ${spec.name} ended with ${ended}`)
  const runs = ((await jobView(svc.app, id)).runs as Array<{ executor: string, workers: number, warmup: boolean, ok: boolean, wallMs: number, busyCores: number }>).filter(r => r.ok && !r.warmup)
  const out: Figures = {}
  for (const key of new Set(runs.map(r => `${r.executor} ×${r.workers}`))) {
    const cell = runs.filter(r => `${r.executor} ×${r.workers}` === key)
    if (spec === DISPATCH_SPEC) {
      out[`dispatch ${key}: tasks/s`] = stat(cell.map(r => spec.tasks / r.wallMs * 1000)).median
    } else {
      out[`${key}: wall ms`] = stat(cell.map(r => r.wallMs)).median
      out[`${key}: busy cores`] = stat(cell.map(r => r.busyCores)).median
    }
  }
  return out
}

/** `corebench runner` by hand on `databaseUrl`, under tsx like the supervised child; resolves once it is ready. */
async function startRunner (databaseUrl: string): Promise<ChildProcess> {
  const entry = fileURLToPath(new URL('../src/runner.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...RUNNER_ENV, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', RUNNER_NAME: 'bench-team' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8000); if (out.includes('runner ready')) resolve() })
    child.stderr?.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8000) })
    child.once('exit', code => { reject(new Error(`bench: the team runner exited with ${code}:\n${out}`)) })
  })
  return child
}

export async function benchTeam (rounds: number): Promise<TeamResult> {
  const t0 = performance.now()
  const loadAvgStart = loadavg().map(v => round(v))
  const afters: Array<() => unknown> = []
  let runner: ChildProcess | undefined
  const services: Service[] = []
  try {
    const cluster = await startCluster({ after: fn => { afters.push(fn) } })
    const single = await startCorebench(RUNNER_ENV)
    services.push(single)
    const team = await startCorebench({ ...RUNNER_ENV, RUNNER: 'off' }, undefined, cluster.url('corebench_template'))
    services.push(team)
    runner = await startRunner(cluster.url('corebench_template'))
    phase('SQLite server with its runner, PostgreSQL API and a runner by hand: up', t0)
    const side = (svc: Service) => async (): Promise<Figures> => ({ ...await measureJob(svc, CPU_SPEC), ...await measureJob(svc, DISPATCH_SPEC) })
    const runs = await interleave(rounds, [side(single), side(team)])
    phase(`${rounds} rounds measured`, t0)
    const names = Object.keys(runs.values[0][0] ?? {})
    const rows = names.map((name): TeamRow => {
      const [s, t] = [runs.values[0].map(f => f[name]), runs.values[1].map(f => f[name])]
      const a = stat(s)
      const b = stat(t)
      return { name: name.split(': ')[0], unit: name.split(': ')[1], single: a, team: b, ratio: round(b.median / a.median, 3), pairedRatio: round(stat(t.map((v, i) => v / s[i])).median, 3) }
    })
    return {
      cores,
      loadAvgStart,
      loadAvgEnd: loadavg().map(v => round(v)),
      rounds,
      rows,
      otherCores: stat(runs.foreign.flat()),
      redone: runs.redone[0] + runs.redone[1],
      goal: `every ratio within 1 ± ${NOISE.toFixed(2)}`,
      met: rows.every(r => Math.abs(r.ratio - 1) <= NOISE)
    }
  } finally {
    if (runner !== undefined && runner.exitCode === null) {
      const exited = once(runner, 'exit')
      runner.kill('SIGTERM')
      await exited
    }
    for (const svc of services.reverse()) await svc.close()
    for (const fn of afters.reverse()) await fn()
  }
}

export function teamMarkdown (r: TeamResult): string[] {
  const fmt = (v: number): string => v >= 100 ? v.toFixed(0) : v.toFixed(2)
  return ['', '## Team mode: a runner on PostgreSQL against one on SQLite (issue 14)', '',
    `${r.cores} cores; load average ${r.loadAvgStart.join(' ')} at the start, ${r.loadAvgEnd.join(' ')} at the end; ` +
    `${r.rounds} rounds after a warm-up round, sides alternately first; other processes kept ${fmt(r.otherCores.median)} cores busy (median; ${r.redone} rounds redone).`,
    `CPU job: fibonacci(${CPU_SPEC.workload.params.n}) × ${CPU_SPEC.tasks} tasks, ${CPU_SPEC.repetitions} recorded runs per cell; dispatch job: fibonacci(1) × ${DISPATCH_SPEC.tasks} tasks on threaded ×2. Figures are per-round medians of the recorded runs.`, '',
    '| figure | unit | SQLite runner (median, min–max) | PostgreSQL runner | ratio team/single | paired ratio |', '| --- | --- | --- | --- | --- | --- |',
    ...r.rows.map(x => `| ${x.name} | ${x.unit} | ${fmt(x.single.median)} (${fmt(x.single.min)}–${fmt(x.single.max)}) | ${fmt(x.team.median)} (${fmt(x.team.min)}–${fmt(x.team.max)}) | ${x.ratio.toFixed(3)} | ${x.pairedRatio.toFixed(3)} |`),
    '', `Goal (the database is not on the measured path): ${r.goal}: ${r.met ? 'met' : '**not met**'}.`]
}
