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

// What run.started and progress carry, written once with the stream's other messages.
export type { RunRef, RunProgress as Progress } from '../schemas/stream.js'
