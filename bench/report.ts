import { mkdirSync, writeFileSync } from 'node:fs'
import type { CellRow } from './cells.js'
import type { DispatchRow } from './dispatch.js'
import { BUSY_CORES, type Stat } from './lib.js'
import type { LoopDelayRow } from './loop-delay.js'
import type { StartupRow } from './startup.js'

export interface Meta {
  date: string
  node: string
  cores: number
  cpu: string
  reps: number
  totalSeconds: number
  /** Cores other processes kept busy in a 1 s sample before the first benchmark. */
  otherCoresAtStart: number
  notes: string[]
}

interface Section<R> { workload: string, tasks?: number, rows: R[] }

export interface Results {
  meta: Meta
  dispatch?: Section<DispatchRow>
  startup?: Section<StartupRow>
  scaling?: Array<Section<CellRow>>
  io?: Section<CellRow>
  loopDelay?: Section<LoopDelayRow>
}

const f = (v: number, d = 1): string => v.toFixed(d)
const range = (s: Stat, d = 1): string => `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`
const yes = (met: boolean | null): string => met === null ? '—' : met ? 'yes' : '**no**'
/** Other processes' load: median / max cores, and how many runs were redone because of it. */
const OTHER = 'other procs: cores med / max (redone)'
const other = (s: Stat, redone: number): string => Number.isNaN(s.median) ? 'n/a' : `${f(s.median, 2)} / ${f(s.max, 2)} (${redone})`
const table = (head: string[], rows: string[][]): string =>
  [head, head.map(() => '---'), ...rows].map(r => `| ${r.join(' | ')} |`).join('\n')

export function markdown (r: Results): string {
  const m = r.meta
  const out = [
    '# corebench executor benchmarks',
    '',
    `${m.date} · Node ${m.node} · ${m.cores} cores (os.availableParallelism()) · ${m.cpu} · ` +
      `median of ${m.reps} runs after 1 unrecorded warm-up, sides interleaved · ${f(m.totalSeconds, 0)} s in all`,
    '',
    ...m.notes.map(n => `> ${n}`)
  ]
  const rows = [...r.dispatch?.rows ?? [], ...r.startup?.rows ?? [], ...r.scaling?.flatMap(x => x.rows) ?? [], ...r.io?.rows ?? [], ...r.loopDelay?.rows ?? []]
  const busiest = Math.max(m.otherCoresAtStart, ...rows.map(x => x.otherCores.max))
  if (busiest > BUSY_CORES) {
    out.push('>', `> **The machine was shared**: other processes used up to ${f(busiest, 2)} cores during some recorded runs ` +
      `(${f(m.otherCoresAtStart, 2)} in the 1 s before the start). Rows with other load are not clean measurements of our executors.`)
  }
  if (r.dispatch !== undefined) {
    out.push('', `## 1. Per-task dispatch overhead — ${r.dispatch.workload}`, '',
      table(['comparison', 'workers', 'tasks/run', 'ours µs/task (min–max)', 'raw µs/task (min–max)', 'ours/raw', 'paired', OTHER, 'goal', 'met'],
        r.dispatch.rows.map(d => [d.name, String(d.workers), String(d.tasks), range(d.ours, 2), range(d.raw, 2), f(d.ratio, 3), f(d.pairedRatio, 3), other(d.otherCores, d.redone), d.goal, yes(d.met)])),
      '', '`paired`: median of the per-round ours/raw ratios (each round runs both back to back).')
  }
  if (r.startup !== undefined) {
    out.push('', '## 1b. Pool start-up (cost of a fork), from dist/', '',
      table(['comparison', 'ours ms (min–max)', 'raw ms (min–max)', 'ours/raw', 'paired', 'load avg before / after', OTHER, 'goal', 'met'],
        r.startup.rows.map(x => [x.name, range(x.ours), range(x.raw), f(x.ratio, 2), f(x.pairedRatio, 2), `${f(x.loadAvg[0], 2)} / ${f(x.loadAvg[1], 2)}`, other(x.otherCores, x.redone), x.goal, yes(x.met)])),
      '', '`ours`: `start()` of a fresh pool until every worker has answered; `raw`: as many bare `new Worker()` / `fork()` of a one-line module, started at once, to the last first message.')
  }
  for (const [i, c] of (r.scaling ?? []).entries()) {
    out.push('', `## 2${'abc'[i]}. CPU scaling — ${c.workload}, ${c.tasks} tasks per run`, '',
      table(['executor', 'workers', 'wall ms (min–max)', 'speedup', 'paired', 'efficiency', 'busy cores', 'task ms', 'idle µs/task/worker', 'verified', OTHER, 'goal', 'met'],
        c.rows.map(x => [x.executor, String(x.workers), range(x.wallMs), `${f(x.speedup, 2)}×`, `${f(x.pairedSpeedup, 2)}×`, f(x.efficiency, 2), f(x.busyCores, 2),
          f(x.taskMs, 2), x.executor === 'async' ? '—' : f(x.idleUsPerTask, 0), x.verified ? 'yes' : '**no**', other(x.otherCores, x.redone), x.goal, yes(x.met)])))
  }
  if (r.scaling !== undefined) {
    out.push('', '`task ms`: median time one task runs inside its worker; `idle µs/task/worker`: (wall × workers − Σ task time) / tasks, ' +
      'i.e. the dispatch round trip per task plus the tail; `paired`: median of per-round speedups.')
  }
  if (r.io !== undefined) {
    out.push('', `## 3. I/O overlap — ${r.io.workload}, ${r.io.tasks} tasks per run`, '',
      table(['executor', 'workers', 'wall ms (min–max)', 'speedup', 'paired', 'busy cores', 'verified', OTHER, 'goal', 'met'],
        r.io.rows.map(x => [x.executor, String(x.workers), range(x.wallMs), `${f(x.speedup, 2)}×`, `${f(x.pairedSpeedup, 2)}×`, f(x.busyCores, 2), x.verified ? 'yes' : '**no**', other(x.otherCores, x.redone), x.goal, yes(x.met)])))
  }
  if (r.loopDelay !== undefined) {
    out.push('', `## 4. Event-loop delay of the calling thread under full CPU load — ${r.loopDelay.workload}, ${r.loopDelay.tasks} tasks per run`, '',
      table(['executor', 'workers', 'p99 ms (min–max)', 'max ms', 'busy cores', OTHER, 'goal', 'met'],
        r.loopDelay.rows.map(x => [x.executor, String(x.workers), range(x.p99Ms, 2), f(x.maxMs, 2), f(x.busyCores, 2), other(x.otherCores, x.redone), x.goal, yes(x.met)])),
      '', 'The monitor is `monitorEventLoopDelay({ resolution: 5 })` as in measureRun: the idle row is its floor on this machine.')
  }
  const goals = rows.map(x => x.met).filter(v => v !== null)
  out.push('', `**Goals met: ${goals.filter(Boolean).length} of ${goals.length}.**`, '')
  return out.join('\n')
}

/** Writes `bench-<time>.{json,md}` and `latest.{json,md}` under bench/results/ (git-ignored). */
export function save (r: Results, md: string): string {
  const dir = new URL('./results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  const stamp = r.meta.date.replace(/[:.]/g, '-')
  const json = JSON.stringify(r, null, 2) + '\n'
  for (const name of [`bench-${stamp}`, 'latest']) {
    writeFileSync(new URL(`${name}.json`, dir), json)
    writeFileSync(new URL(`${name}.md`, dir), md)
  }
  return new URL(`bench-${stamp}.md`, dir).pathname
}
