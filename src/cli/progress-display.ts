import cliProgress from 'cli-progress'
import { fixed, ms, safe } from './format.js'
import { type Output, writeLine } from './io.js'
import type { JobView, Run } from '../schemas/job-view.js'
import type { RunProgress, RunRef } from '../schemas/stream.js'
// The server's own cells and keys (`threaded/2` in Node, `python/threaded/2` in Python); cells.ts
// imports only types, so the CLI does not load the workload catalog with it.
import { cellKey, cells } from '../schemas/cells.js'

// What `corebench watch` draws for one job: a progress bar per cell on a terminal, one line per
// finished run elsewhere. It knows nothing about sockets (watch.ts feeds it).

export interface DisplayOptions {
  /** Progress bars (a terminal) or one line per finished run (pipes, files, CI logs). */
  bars: boolean
  out: Output
}

interface CellState {
  key: string
  tasks: number
  runsTotal: number
  repetitions: number
  /** Runs (warm-up or recorded) known to be over. */
  done: number
  recorded: number
  failed: number
  inflight: boolean
  inflightDone: number
  last: string
  bar?: cliProgress.SingleBar
}

/** Bars or lines for every cell of one job; knows nothing about sockets. */
export class Display {
  private cells = new Map<string, CellState>()
  private current: CellState | undefined
  private multibar: cliProgress.MultiBar | undefined

  constructor (private readonly opts: DisplayOptions, private readonly id: string) {}

  /** (Re)builds every cell's state from a snapshot: the first one, or the one after a reconnect. */
  snapshot (view: JobView): void {
    const spec = view.spec
    // Every repetition is a fork: a fresh pool, its warm-ups, then the recorded run.
    const rounds = spec.repetitions * (spec.warmup + 1)
    const fresh = this.cells.size === 0
    for (const cell of cells(spec)) {
      const key = cellKey(cell)
      const runs = view.runs.filter(r => cellKey(r) === key)
      const recorded = runs.filter(r => !r.warmup)
      const state: CellState = this.cells.get(key) ?? { key, tasks: spec.tasks, runsTotal: rounds, repetitions: spec.repetitions, done: 0, recorded: 0, failed: 0, inflight: false, inflightDone: 0, last: '' }
      state.recorded = recorded.length
      state.failed = runs.filter(r => !r.ok).length
      // Warm-ups are not stored unless they fail: each recorded run implies its fork's warm-ups.
      state.done = recorded.length * (spec.warmup + 1) + (runs.length - recorded.length)
      state.inflight = false
      const lastRun = recorded.at(-1)
      if (lastRun !== undefined) state.last = lastRun.ok ? ms(lastRun.wallMs) : 'failed'
      this.cells.set(key, state)
    }
    this.current = undefined
    const cur = view.progress.current
    if (cur !== null) {
      const state = this.cells.get(cellKey(cur))
      if (state !== undefined) {
        state.inflight = true
        state.inflightDone = cur.runDone
        this.current = state
      }
    }
    if (fresh) this.start(view)
    this.render()
  }

  private start (view: JobView): void {
    const spec = view.spec
    // Before the bars exist: the bars own the lines below the cursor from then on.
    const runtimes = spec.runtimes.length > 1 || spec.runtimes[0] !== 'node' ? ` in ${spec.runtimes.join(' and ')}` : ''
    this.line(`job ${this.id}: ${spec.workload.id} ${JSON.stringify(spec.workload.params)}${runtimes}, ${spec.tasks} tasks, ${this.cells.size} cells × ${spec.repetitions} recorded runs, each on a fresh pool after ${spec.warmup} unrecorded warm-up run${spec.warmup === 1 ? '' : 's'}${view.status === 'queued' ? '; queued, waiting for the runner' : ''}`)
    if (!this.opts.bars) return
    const width = Math.max(...[...this.cells.keys()].map(k => k.length))
    this.multibar = new cliProgress.MultiBar({
      stream: this.opts.out as NodeJS.WritableStream,
      format: '{cell} |{bar}| {percentage}% | {runs} | {last}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 10
    }, cliProgress.Presets.shades_classic)
    for (const c of this.cells.values()) {
      c.bar = this.multibar.create(c.runsTotal * c.tasks, 0, { cell: c.key.padEnd(width), runs: '', last: '' })
    }
  }

  started (ref: RunRef): void {
    this.settleCurrent()
    const state = this.cells.get(cellKey(ref))
    if (state === undefined) return
    state.inflight = true
    state.inflightDone = 0
    this.current = state
    this.render()
  }

  progress (p: RunProgress): void {
    const state = this.cells.get(cellKey(p))
    if (state === undefined || !state.inflight) return
    state.inflightDone = p.runDone
    this.render()
  }

  finished (run: Run): void {
    const state = this.cells.get(cellKey(run))
    if (state === undefined) return
    if (state.inflight) {
      state.inflight = false
      state.done++
      if (this.current === state) this.current = undefined
    }
    if (!run.warmup) state.recorded++
    if (!run.ok) state.failed++
    state.last = run.ok ? ms(run.wallMs) : 'failed'
    const which = run.warmup ? 'warm-up' : `run ${run.fork + 1}/${state.repetitions}`
    const text = run.ok
      ? `${state.key} ${which}: ${ms(run.wallMs)} wall, ${fixed(run.busyCores, 2)} cores busy${run.verified === false ? ', CHECKSUM MISMATCH' : ''}`
      : `${state.key} ${which}: FAILED${run.error === null ? '' : ` ${run.error.code}: ${run.error.message}`}`
    if (this.multibar === undefined) this.line(text)
    else if (!run.ok || run.verified === false) this.multibar.log(`${safe(text)}\n`)
    this.render()
  }

  note (text: string): void {
    if (this.multibar === undefined) this.line(text)
    else this.multibar.log(`${safe(text)}\n`)
  }

  /** The job ended (or we stop following it): settle the bars and leave the terminal clean. */
  stop (ended: boolean): void {
    if (ended) this.settleCurrent()
    this.render()
    this.multibar?.stop()
    this.multibar = undefined
  }

  /** A warm-up's end is not announced: the next run.started (runs go one at a time) or the job's end says it. */
  private settleCurrent (): void {
    const c = this.current
    if (c?.inflight === true) {
      c.inflight = false
      c.done++
    }
    this.current = undefined
  }

  private render (): void {
    for (const c of this.cells.values()) {
      const value = Math.min(c.runsTotal * c.tasks, c.done * c.tasks + (c.inflight ? c.inflightDone : 0))
      c.bar?.update(value, { runs: `${runsLabel(c)}${c.failed > 0 ? ` (${c.failed} failed)` : ''}`, last: c.last })
    }
  }

  /** One line: whatever of it came from the server (a run's error, params) cannot add lines or control the terminal. */
  private line (text: string): void {
    writeLine(this.opts.out, safe(text))
  }
}

/**
 * `runs 2/3` when there are no warm-ups; otherwise the recorded runs and the warm-ups apart
 * (`recorded 1/3, warm-up 2/3`), so that 3 repetitions never read as "runs 0/6".
 */
function runsLabel (c: CellState): string {
  const warmupsTotal = c.runsTotal - c.repetitions
  const done = Math.min(c.done, c.runsTotal)
  if (warmupsTotal === 0) return `runs ${done}/${c.runsTotal}`
  const warmups = Math.min(warmupsTotal, Math.max(0, done - c.recorded))
  return `recorded ${c.recorded}/${c.repetitions}, warm-up ${warmups}/${warmupsTotal}`
}
