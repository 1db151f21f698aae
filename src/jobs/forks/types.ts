import type { RunOutcome } from '../../measure/measure-run.js'
import type { JobSpec } from '../../schemas/job.js'
import type { Cell } from '../../schemas/cells.js'

/** One fork of one cell: a fresh pool, `spec.warmup` unrecorded runs, then one recorded run. */
export interface ForkPlan {
  spec: JobSpec
  cell: Cell
  signal: AbortSignal
}

export interface ForkHooks {
  /** Run `k` of the fork (warm-ups first, 0-based) starts; returns its per-task progress reporter. */
  runStarted: (k: number) => (done: number) => void
  /**
   * Run `k` ended: stores and announces it. Awaited before the fork goes on; a reason string means
   * the fork must stop (the run failed, or the job is no longer ours).
   */
  record: (k: number, outcome: RunOutcome) => Promise<string | undefined>
}

/**
 * Executes forks for one kind of runtime. Node and Python implement it; the job's execution
 * (src/jobs/execute-job.ts) neither knows nor cares which. Returns why the fork failed, if it did;
 * a fork cut short by the signal returns undefined and records nothing more.
 */
export interface ForkRunner {
  run: (plan: ForkPlan, hooks: ForkHooks) => Promise<string | undefined>
}
