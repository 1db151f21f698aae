import { availableParallelism, cpus } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { benchDispatch, dispatchPlan } from './dispatch.js'
import { benchIo, ioPlan } from './io.js'
import { cores, gcBetweenRuns, type Settings } from './lib.js'
import { foreignCores, snapshot } from './load.js'
import { benchLoopDelay, loopDelayPlan } from './loop-delay.js'
import { markdown, save, type Results } from './report.js'
import { benchScaling, scalingPlans } from './scaling.js'
import { benchStartup } from './startup.js'
import { API_DEFAULTS, benchApi } from './api.js'
import { serviceHeader, serviceMarkdown, type ServiceResults } from './service-report.js'
import { benchRunner, RUNNER_DEFAULTS, RUNNER_QUICK } from './runner.js'
import { benchStreams } from './streams.js'
import { benchLargeOutput, largeOutputMarkdown, type LargeOutputResult } from './large-output.js'
import { benchNoise, NOISE_DEFAULTS, noiseMarkdown, noiseVerdict, type NoiseResult } from './noise.js'
import { benchGilSeries, GIL_DEFAULTS, gilMarkdown, gilVerdicts, type GilResult } from './gil-series.js'
import { benchTeam, teamMarkdown, type TeamResult } from './team.js'
import type { RunPlan } from '../src/executors/index.js'

// `npm run bench [-- --reps 7 --suite dispatch,startup,scaling,io,loop-delay,streams,api,runner,large-output,noise,gil-series,team]`: every benchmark in one
// process run, so that ours and the raw baselines see the same machine state. `--only` is the same
// switch under its older name. Default: all suites. `--reps` is for the executor suites; the service
// suites (streams, api, runner, team) have their own `--service-reps` (default 3: each one is a whole job or a
// multi-second load run; streams and api fit in ~3 minutes together, runner in ~4 alone). `--quick`:
// the runner suite with 1 round (unless --service-reps says otherwise) and 2 s windows, the team suite
// with 1 round, to check that they work (their figures mean little); other suites ignore it.

const EXECUTOR_SUITES = ['dispatch', 'startup', 'scaling', 'io', 'loop-delay']
const SERVICE_SUITES = ['streams', 'api', 'runner']
/** Suites with a markdown section of their own, after the others. */
const OWN_SUITES = ['large-output', 'noise', 'gil-series', 'team']
const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' }, only: { type: 'string' }, suite: { type: 'string' }, 'service-reps': { type: 'string' }, quick: { type: 'boolean', default: false }, 'noise-rounds': { type: 'string' }, 'noise-runs': { type: 'string' }, 'gil-jobs': { type: 'string' }, 'gil-preset': { type: 'string' }, 'gil-spec': { type: 'string' }, 'gil-redo': { type: 'string' } } })
const s: Settings = { reps: Number(values.reps) }
if (!Number.isInteger(s.reps) || s.reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`)
const serviceReps = Number(values['service-reps'] ?? '3')
if (!Number.isInteger(serviceReps) || serviceReps < 1) throw new Error(`--service-reps must be a positive integer, got ${values['service-reps']}`)
const ALL_SUITES = [...EXECUTOR_SUITES, ...SERVICE_SUITES, ...OWN_SUITES]
const only = new Set((values.suite ?? values.only)?.split(',').map(x => x.trim()).filter(x => x !== '') ?? ALL_SUITES)
for (const name of only) {
  if (!ALL_SUITES.includes(name)) throw new Error(`unknown suite ${JSON.stringify(name)}: use ${ALL_SUITES.join(', ')}`)
}

const describe = (p: RunPlan): string => `${p.workload} ${JSON.stringify(p.params)}`
const log = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`) }
log(`os.availableParallelism() = ${availableParallelism()}; suites: ${[...only].join(', ')}`)
// How busy the machine already is, so a shared VM shows in the report instead of in the figures.
const before = snapshot()
await delay(1000)
const otherCoresAtStart = Number(foreignCores(before, snapshot()).toFixed(2))
log(`other processes are using ${otherCoresAtStart} cores`)
const t0 = performance.now()
const r: Results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cores,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    reps: s.reps,
    totalSeconds: 0,
    otherCoresAtStart,
    notes: [
      'Run from TypeScript under tsx. Per-task and per-run figures are what production sees; start-up is not: ' +
      'on Node 20 each worker thread of ours registers tsx through a bootstrap (~0.5–1 s), so `startupMsTsx` in the JSON is not a production number. ' +
      'The startup suite measures ours from dist/ under plain node (run `npm run build` first).',
      ...gcBetweenRuns ? [] : ['Run without --expose-gc (use `npm run bench`): runs may pay for the previous run\'s garbage.']
    ]
  }
}

if (only.has('dispatch')) {
  log('dispatch overhead …')
  r.dispatch = { workload: describe(dispatchPlan), rows: await benchDispatch(s) }
}
if (only.has('startup')) {
  log('pool start-up vs raw new Worker() / fork(), from dist/ …')
  r.startup = { workload: 'none (start-up only)', rows: await benchStartup(s) }
}
if (only.has('scaling')) {
  log('CPU scaling …')
  r.scaling = []
  for (const p of scalingPlans) r.scaling.push({ workload: describe(p), tasks: p.tasks, rows: await benchScaling(p, s) })
}
if (only.has('io')) {
  log('I/O overlap …')
  r.io = { workload: describe(ioPlan), tasks: ioPlan.tasks, rows: await benchIo(s) }
}
if (only.has('loop-delay')) {
  log('event-loop delay under load …')
  r.loopDelay = { workload: describe(loopDelayPlan), tasks: loopDelayPlan.tasks, rows: await benchLoopDelay(s) }
}
const service: ServiceResults = {}
if (only.has('streams')) {
  log('streams: a 10 000-task job with 0 vs 200 subscribers …')
  service.streams = await benchStreams(serviceReps)
}
if (only.has('api')) {
  log('api: autocannon against GET /api/jobs/:id, hello-world, POST /api/jobs …')
  service.api = await benchApi({ ...API_DEFAULTS, rounds: serviceReps })
}
if (only.has('runner')) {
  log('runner: inline (before issue 13) vs child process (after): a dispatch-bound job quiet vs under GET load, a serialized cell quiet vs polled …')
  service.runner = await benchRunner(values.quick ? { ...RUNNER_QUICK, rounds: values['service-reps'] !== undefined ? serviceReps : RUNNER_QUICK.rounds } : { ...RUNNER_DEFAULTS, rounds: serviceReps })
}
let largeOutput: LargeOutputResult | undefined
if (only.has('large-output')) {
  log('large output: a python job of 300 000 tasks while another process polls /api/health …')
  largeOutput = await benchLargeOutput(serviceReps)
}
let noise: NoiseResult | undefined
if (only.has('noise')) {
  log('noise: a serialized fibonacci cell\'s CV against a bare loop of the same work …')
  const sized = values.quick ? { rounds: 1, runs: 5 } : NOISE_DEFAULTS
  noise = await benchNoise({ rounds: Number(values['noise-rounds'] ?? sized.rounds), runs: Number(values['noise-runs'] ?? sized.runs) })
  log(noiseVerdict(noise))
}
let gil: GilResult | undefined
if (only.has('gil-series')) {
  log('gil-series: a preset back to back, cells rotated vs in a fixed order …')
  gil = await benchGilSeries({
    jobs: Number(values['gil-jobs'] ?? (values.quick ? 1 : GIL_DEFAULTS.jobs)),
    preset: values['gil-preset'] ?? GIL_DEFAULTS.preset,
    overrides: values['gil-spec'] !== undefined ? JSON.parse(values['gil-spec']) as Record<string, unknown> : (values.quick ? { repetitions: 3 } : {}),
    redo: values['gil-redo'] === undefined ? undefined : Number(values['gil-redo'])
  })
  for (const line of gilVerdicts(gil)) log(line)
}
let team: TeamResult | undefined
if (only.has('team')) {
  log('team: the same jobs by a runner on SQLite and by a runner on PostgreSQL (embedded cluster), interleaved …')
  team = await benchTeam(values.quick && values['service-reps'] === undefined ? 1 : serviceReps)
}
r.meta.totalSeconds = Math.round((performance.now() - t0) / 1000)

const ranExecutor = EXECUTOR_SUITES.some(x => only.has(x))
const ranService = SERVICE_SUITES.some(x => only.has(x))
const md = [
  ...ranExecutor ? [markdown(r)] : serviceHeader(r.meta),
  ...ranService ? serviceMarkdown(service, r.meta) : [],
  ...largeOutput !== undefined ? largeOutputMarkdown(largeOutput) : [],
  ...noise !== undefined ? noiseMarkdown(noise) : [],
  ...gil !== undefined ? gilMarkdown(gil) : [],
  ...team !== undefined ? teamMarkdown(team) : []
].join('\n')
log(`written to ${save({ ...r, ...service, ...largeOutput !== undefined ? { largeOutput } : {}, ...noise !== undefined ? { noise } : {}, ...gil !== undefined ? { gilSeries: gil } : {}, ...team !== undefined ? { team } : {} }, md)}`)
process.stdout.write(md + '\n')
