import type { FinalStatus, JobStatus } from '../schemas/vocabulary.js'
import type { JobClaim, JobRecord } from './types.js'

// The job lifecycle in one place. Every status change in every store is a conditional update
// ("from this status, held by this runner"), checked against this table first: a transition that
// lost a race reports it, and nothing overwrites a state it did not see.

export type { FinalStatus }

/** From each status, where a job may go. `running → queued` is the re-queue of an interrupted job. */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ['running', 'cancelled'],
  running: ['finished', 'failed', 'cancelled', 'interrupted', 'queued'],
  finished: [],
  failed: [],
  cancelled: [],
  interrupted: []
}

export class TransitionError extends Error {
  override name = 'TransitionError'
  readonly code = 'COREBENCH_ERR_TRANSITION'
}

/** Throws TransitionError when `from → to` is not in TRANSITIONS (a bug in the caller, never a race). */
export function assertTransition (from: JobStatus, to: JobStatus): void {
  if (!TRANSITIONS[from].includes(to)) throw new TransitionError(`a job cannot go from ${from} to ${to}`)
}

export function isFinal (status: JobStatus): status is FinalStatus {
  return TRANSITIONS[status].length === 0
}

/** Whether a runner working `claim` may take this job: it has every runtime and, for a routed job, one of its queues. */
export function claimable (job: Pick<JobRecord, 'queues'> & { spec: Pick<JobRecord['spec'], 'runtimes'> }, claim: JobClaim): boolean {
  return job.spec.runtimes.every(r => claim.runtimes.includes(r)) &&
    (job.queues.length === 0 || job.queues.some(q => claim.queues?.includes(q) === true))
}
