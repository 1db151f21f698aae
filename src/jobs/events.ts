import type { JobEventType } from '../schemas/vocabulary.js'

// Every event a job goes through is named in src/schemas/vocabulary.ts: the runner and the API
// publish them on the JobEventBus, the stream hub forwards them to WebSocket clients as they are,
// metrics count them.
export { FINAL_EVENT, isFinalEvent, JOB_EVENTS, type FinalEvent, type JobEventType } from '../schemas/vocabulary.js'

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
