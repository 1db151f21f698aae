import { loadavg } from 'node:os'
import type { CellOrder } from '../src/config.js'
import type { CellSummary } from '../src/schemas/summary.js'
import { cores, round } from './lib.js'
import { jobEnded, jobView, phase, startCorebench, submitJob, type Service } from './service.js'

// Issue 19 "The flagship preset does not repeat": the same preset submitted several times back to
// back, with the cells' order rotating from round to round (CELL_ORDER=rotate, the default) and fixed
// (serialized always first), job by job alternately between two services so that both orders see
// the same machine. Goal: `async` (one event loop: it cannot beat serialized on CPU work) within
// 0.9–1.1× of serialized in every job; the spread of the threaded and process speedups is reported.
// `npm run bench -- --suite gil-series [--gil-jobs 3] [--gil-preset gil-cpu] [--gil-spec '{"repetitions":8}']`

type Cell = CellSummary
const ASYNC_RANGE = [0.9, 1.1] as const
const ORDERS: readonly CellOrder[] = ['rotate', 'fixed']

export interface GilSettings {
  /** Jobs per order. */
  jobs: number
  preset: string
  /** Fields that override the preset's (e.g. repetitions), to try another size. */
  overrides: Record<string, unknown>
  /** REDO_DISTURBED for both services; undefined: the product's default, the answer a user gets. */
  redo?: number
}

export const GIL_DEFAULTS: GilSettings = { jobs: 3, preset: 'gil-cpu', overrides: {} }

export interface GilJob {
  order: CellOrder
  seconds: number
  /** 1-minute load average when the job was submitted. */
  loadAvg: number
  serializedMs: number | null
  speedup: Record<string, number | null>
  asyncCi95: [number, number] | null
  asyncWithin: boolean
  disturbed: number
  redos: number
  /** Every recorded run (each try of a redone fork too), for estimators other than the summary's. */
  runs: Array<{ cell: string, fork: number, redo: number, disturbedBy: string | null, position: number | null, wallMs: number, canaryBeforeMs: number | null, canaryAfterMs: number | null, foreignCpu: number | null }>
}

export interface GilSeries {
  order: CellOrder
  jobs: GilJob[]
  /** max − min over the jobs, per cell key. */
  spread: Record<string, number | null>
  asyncAllWithin: boolean
  medianJobSeconds: number
}

export interface GilResult {
  preset: string
  overrides: Record<string, unknown>
  /** REDO_DISTURBED, or 'default'. */
  redo: number | 'default'
  cores: number
  loadAvgStart: number[]
  loadAvgEnd: number[]
  series: GilSeries[]
}

async function oneJob (svc: Service, order: CellOrder, s: GilSettings): Promise<GilJob> {
  const loadAvg = round(loadavg()[0] ?? NaN)
  const t0 = performance.now()
  const id = await submitJob(svc.app, { preset: s.preset, ...s.overrides })
  const ended = await jobEnded(svc.app, id, 900_000)
  if (ended !== 'job.finished') throw new Error(`bench: the ${s.preset} job ended with ${ended}`)
  const seconds = round((performance.now() - t0) / 1000, 1)
  const view = await jobView(svc.app, id)
  const cells = view.summary.cells as Cell[]
  const cell = (key: string): Cell | undefined => cells.find(c => c.key === key)
  const speedup = Object.fromEntries(cells.map(c => [c.key, c.speedup === null ? null : round(c.speedup, 3)]))
  const a = cell('async/1')?.speedup ?? null
  return {
    order,
    seconds,
    loadAvg,
    serializedMs: cell('serialized/1')?.medianWallMs ?? null,
    speedup,
    asyncCi95: cell('async/1')?.speedupCi95 ?? null,
    asyncWithin: a !== null && a >= ASYNC_RANGE[0] && a <= ASYNC_RANGE[1],
    disturbed: view.summary.disturbance?.disturbed ?? 0,
    redos: view.summary.disturbance?.redos ?? 0,
    runs: (view.runs as Array<Record<string, any>>).filter(r => r.ok === true && r.warmup !== true).map(r => ({ cell: `${r.executor as string}/${r.workers as number}`, fork: r.fork, redo: r.redo, disturbedBy: r.disturbedBy, position: r.position, wallMs: r.wallMs, canaryBeforeMs: r.canaryBeforeMs, canaryAfterMs: r.canaryAfterMs, foreignCpu: r.foreignCpu }))
  }
}

export async function benchGilSeries (s: GilSettings = GIL_DEFAULTS): Promise<GilResult> {
  const t0 = performance.now()
  const loadAvgStart = loadavg().map(v => round(v))
  const services = new Map<CellOrder, Service>()
  const jobs = new Map<CellOrder, GilJob[]>(ORDERS.map(o => [o, []]))
  try {
    // By default the product's REDO_DISTURBED: the answer a user gets; `--gil-redo 0` shows it as measured.
    for (const order of ORDERS) services.set(order, await startCorebench({ CELL_ORDER: order, ...(s.redo === undefined ? {} : { REDO_DISTURBED: String(s.redo) }) }))
    for (let i = 0; i < s.jobs; i++) {
      for (const order of i % 2 === 0 ? ORDERS : [...ORDERS].reverse()) {
        const j = await oneJob(services.get(order) as Service, order, s)
        jobs.get(order)?.push(j)
        phase(`${order} job ${i + 1}: async ${j.speedup['async/1']}× (${j.asyncWithin ? 'within' : 'OUTSIDE'} ${ASYNC_RANGE.join('–')}), threaded/2 ${j.speedup['threaded/2']}×, process/2 ${j.speedup['process/2']}×, serialized ${j.serializedMs?.toFixed(0)} ms, ${j.disturbed} disturbed (${j.redos} redos), ${j.seconds} s, load ${j.loadAvg}`, t0)
      }
    }
  } finally {
    for (const svc of services.values()) await svc.close()
  }
  const series = ORDERS.map(order => {
    const js = jobs.get(order) ?? []
    const keys = Object.keys(js[0]?.speedup ?? {})
    const spread = Object.fromEntries(keys.map(k => {
      const v = js.map(j => j.speedup[k]).filter((x): x is number => x !== null && x !== undefined)
      return [k, v.length === 0 ? null : round(Math.max(...v) - Math.min(...v), 3)]
    }))
    const secs = js.map(j => j.seconds).sort((a, b) => a - b)
    return { order, jobs: js, spread, asyncAllWithin: js.every(j => j.asyncWithin), medianJobSeconds: secs[Math.floor(secs.length / 2)] ?? NaN }
  })
  return { preset: s.preset, overrides: s.overrides, redo: s.redo ?? 'default', cores, loadAvgStart, loadAvgEnd: loadavg().map(v => round(v)), series }
}

/** One line per order: whether `async` stayed within range in every job, and the spreads. */
export function gilVerdicts (r: GilResult): string[] {
  return r.series.map(x => `${r.preset} ${x.order}: async within ${ASYNC_RANGE.join('–')}× in ${x.jobs.filter(j => j.asyncWithin).length} of ${x.jobs.length} jobs (${x.asyncAllWithin ? 'GOAL MET' : 'GOAL NOT MET'}); spread threaded/2 ${x.spread['threaded/2']}, process/2 ${x.spread['process/2']}; ${x.medianJobSeconds} s a job`)
}

export function gilMarkdown (r: GilResult): string[] {
  const f = (v: number | null | undefined): string => v === null || v === undefined ? '–' : `${v.toFixed(2)}×`
  return ['', `## ${r.preset} back to back, cell order rotated vs fixed (issue 19)`, '',
    `${r.cores} cores; load average ${r.loadAvgStart.join(' ')} at the start, ${r.loadAvgEnd.join(' ')} at the end; overrides ${JSON.stringify(r.overrides)}.`, '',
    '| order | job | async | async CI 95 % | threaded/2 | process/2 | serialized (ms) | disturbed runs (redos) | job time (s) | load (1 min) |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.series.flatMap(x => x.jobs.map((j, i) => `| ${x.order} | ${i + 1} | ${f(j.speedup['async/1'])}${j.asyncWithin ? '' : ' **outside**'} | ${j.asyncCi95 === null ? '–' : `${j.asyncCi95[0].toFixed(2)}–${j.asyncCi95[1].toFixed(2)}`} | ${f(j.speedup['threaded/2'])} | ${f(j.speedup['process/2'])} | ${j.serializedMs?.toFixed(0) ?? '–'} | ${j.disturbed} (${j.redos}) | ${j.seconds} | ${j.loadAvg} |`)),
    '', ...gilVerdicts(r).map(v => `- ${v}`)]
}
