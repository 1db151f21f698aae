import type { JobEventBus } from './bus.js'
import { cellKey } from '../schemas/cells.js'
import { isFinalEvent, type Progress } from './events.js'

export interface CellProgress {
  runtime: string
  executor: string
  workers: number
  done: number
  total: number
}

export interface LiveProgress {
  /** The run in flight, as of the last progress event. */
  current: Progress
  /** Every cell heard of so far, in the order the runner first reported it. */
  cells: CellProgress[]
}

/**
 * Where each running job stands, kept by every API instance from the events on its bus: the runner
 * sends one cell's delta per event, and this table gives clients every cell at once, so that neither
 * the dashboard nor the CLI re-implements the runner's order.
 */
export class ProgressBoard {
  private readonly jobs = new Map<string, { current: Progress, cells: Map<string, CellProgress> }>()
  private readonly unsubscribe: () => void

  constructor (bus: JobEventBus) {
    this.unsubscribe = bus.subscribe(e => {
      if (e.type === 'progress') this.update(e.data as Progress)
      else if (isFinalEvent(e.type) || e.type === 'job.queued') this.jobs.delete(e.jobId)
    })
  }

  get (jobId: string): LiveProgress | undefined {
    const entry = this.jobs.get(jobId)
    return entry === undefined ? undefined : { current: entry.current, cells: [...entry.cells.values()] }
  }

  close (): void {
    this.unsubscribe()
    this.jobs.clear()
  }

  private update (p: Progress): void {
    let entry = this.jobs.get(p.jobId)
    if (entry === undefined) this.jobs.set(p.jobId, entry = { current: p, cells: new Map() })
    entry.current = p
    const key = cellKey(p)
    const cell = entry.cells.get(key)
    if (cell === undefined) entry.cells.set(key, { runtime: p.runtime, executor: p.executor, workers: p.workers, done: p.cellDone, total: p.cellTotal })
    else cell.done = Math.max(cell.done, p.cellDone)
  }
}
