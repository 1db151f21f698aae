import type { FinalStatus } from './state.js'

// Every event a job goes through, written once: the runner and the API publish them on the
// JobEventBus, the stream hub forwards them to WebSocket clients as they are, metrics count them.

export const FINAL_EVENT = {
  finished: 'job.finished',
  failed: 'job.failed',
  cancelled: 'job.cancelled',
  interrupted: 'job.interrupted'
} as const satisfies Record<FinalStatus, string>

export type FinalEvent = typeof FINAL_EVENT[FinalStatus]

export const JOB_EVENT_TYPES = ['job.queued', 'job.started', 'run.started', 'progress', 'run.finished', ...Object.values(FINAL_EVENT)] as const
export type JobEventType = typeof JOB_EVENT_TYPES[number]

const FINAL_EVENTS: ReadonlySet<string> = new Set(Object.values(FINAL_EVENT))

/** The last event of a job: a job stream closes normally right after it. */
export function isFinalEvent (type: string): type is FinalEvent {
  return FINAL_EVENTS.has(type)
}

/**
 * One event as every subscriber of every API instance sees it. `seq` comes from the job's own
 * counter, kept with the job in the database, so that it never goes backwards for a job, whichever
 * process published the event. `data` is already in the form clients receive.
 */
export interface JobEvent {
  type: JobEventType
  jobId: string
  seq: number
  /** ISO time of publication (wall clock: shown to people, never used for durations). */
  at: string
  data: unknown
}

export interface RunRef {
  jobId: string
  runtime: string
  executor: string
  workers: number
  /** 0-based index of the fork (fresh pool) this run belongs to; one measured run per fork. */
  fork: number
  /** The measured repetition (= fork); negative for the fork's warm-up runs (-warmup … -1, not recorded). */
  repetition: number
  warmup: boolean
  tasks: number
  /** The job's attempt (see JobRecord.attempt). */
  attempt: number
}

/** Where a job stands, sent as the delta of one cell: clients never reconstruct the runner's order. */
export interface Progress extends RunRef {
  runDone: number
  runTotal: number
  /** Tasks done and due in this cell over all its forks, warm-ups included. */
  cellDone: number
  cellTotal: number
  jobDone: number
  jobTotal: number
}
