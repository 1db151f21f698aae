import type { JobRecord, RunRecord } from '../store/types.js'

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
}

export interface Progress extends RunRef {
  runDone: number
  runTotal: number
  jobDone: number
  jobTotal: number
}

/** Everything the runner announces; the stream hub and metrics listen, the runner waits on no one. */
export interface JobEvents {
  'job.queued': [JobRecord]
  'job.started': [JobRecord]
  'run.started': [RunRef]
  progress: [Progress]
  'run.finished': [RunRecord]
  'job.finished': [JobRecord]
  'job.failed': [JobRecord]
  'job.cancelled': [JobRecord]
}

export type FinalEvent = 'job.finished' | 'job.failed' | 'job.cancelled'
