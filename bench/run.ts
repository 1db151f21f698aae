import { cpus } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { benchDispatch, dispatchPlan } from './dispatch.js'
import { benchIo, ioPlan } from './io.js'
import { cores, gcBetweenRuns, type Settings } from './lib.js'
import { foreignCores, snapshot } from './load.js'
import { benchLoopDelay, loopDelayPlan } from './loop-delay.js'
import { markdown, save, type Results } from './report.js'
import { benchScaling, scalingPlans } from './scaling.js'
import type { RunPlan } from '../src/executors/index.js'

// `npm run bench [-- --reps 7 --only dispatch,scaling,io,loop-delay]`: every benchmark in one
// process run, so that ours and the raw baselines see the same machine state.

const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' }, only: { type: 'string' } } })
const s: Settings = { reps: Number(values.reps) }
if (!Number.isInteger(s.reps) || s.reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`)
const only = new Set(values.only?.split(',') ?? ['dispatch', 'scaling', 'io', 'loop-delay'])

const describe = (p: RunPlan): string => `${p.workload} ${JSON.stringify(p.params)}`
const log = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`) }
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
      'on Node 20 each worker thread of ours registers tsx through a bootstrap (~0.5–1 s), so `startupMsTsx` in the JSON is not a production number.',
      ...gcBetweenRuns ? [] : ['Run without --expose-gc (use `npm run bench`): runs may pay for the previous run\'s garbage.']
    ]
  }
}

if (only.has('dispatch')) {
  log('dispatch overhead …')
  r.dispatch = { workload: describe(dispatchPlan), rows: await benchDispatch(s) }
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
r.meta.totalSeconds = Math.round((performance.now() - t0) / 1000)

const md = markdown(r)
log(`written to ${save(r, md)}`)
process.stdout.write(md + '\n')
