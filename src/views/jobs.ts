import type { LiveProgress } from '../jobs/progress-board.js'
import { positionsInRound } from '../jobs/order.js'
import { runData } from '../jobs/run-record.js'
import type { JobListItem, JobView } from '../schemas/job-view.js'
import { summarize, type JobSummary } from '../stats/summary.js'
import type { JobRecord, RunRecord, Store } from '../store/types.js'
import { isFinalStatus } from '../schemas/vocabulary.js'

const iso = (d: Date | null): string | null => d === null ? null : d.toISOString()

function fields (job: JobRecord, live: LiveProgress | undefined): Omit<JobListItem, 'bestSpeedup'> {
  const base = `/api/jobs/${job.id}`
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    workload: job.workloadId,
    runtimes: job.spec.runtimes,
    specHash: job.specHash,
    tags: job.tags,
    warnings: job.warnings,
    error: job.error,
    progress: progressOf(job, live),
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    hostId: job.hostId,
    runner: job.runnerName,
    tokenId: job.tokenId,
    versions: job.versions,
    links: { self: base, stream: `${base}/stream`, report: `${base}/report?format=md`, cancel: `${base}/cancel` }
  }
}

function progressOf (job: JobRecord, live: LiveProgress | undefined): JobListItem['progress'] {
  // Live figures only while the job runs: a board entry can outlive the job by one event.
  if (live === undefined || job.status !== 'running') return { tasksDone: job.tasksDone, tasksTotal: job.tasksTotal, current: null, cells: [] }
  const c = live.current
  return {
    tasksDone: Math.max(c.jobDone, job.tasksDone),
    tasksTotal: job.tasksTotal,
    current: { runtime: c.runtime, executor: c.executor, workers: c.workers, fork: c.fork, warmup: c.warmup, runDone: c.runDone, runTotal: c.runTotal },
    cells: live.cells
  }
}

export function jobListItem (job: JobRecord, live: LiveProgress | undefined): JobListItem {
  const summary = job.summary as JobSummary | null
  return { ...fields(job, live), bestSpeedup: summary?.bestSpeedup ?? null }
}

export function jobView (job: JobRecord, runs: RunRecord[], summary: JobSummary, live: LiveProgress | undefined): JobView {
  const positions = positionsInRound(runs)
  return {
    ...fields(job, live),
    // Summaries stored before the answer existed have none.
    answer: summary.answer ?? null,
    spec: job.spec,
    runs: runs.map(r => ({ ...runData(r), position: positions.get(r.id) ?? null })),
    summary
  }
}

/** The job as GET /api/jobs/:id and the stream snapshot show it; undefined when there is no such job. */
export async function loadJobView (store: Store, live: (id: string) => LiveProgress | undefined, id: string): Promise<{ job: JobRecord, view: JobView } | undefined> {
  const job = await store.getJob(id)
  if (job === undefined) return undefined
  const runs = await store.listRuns(job.id)
  return { job, view: jobView(job, runs, summaryOf(job, runs), live(job.id)) }
}

/** A finished job's summary was computed once, with task latencies, when it ended; others are live. */
export function summaryOf (job: JobRecord, runs: RunRecord[]): JobSummary {
  return isFinalStatus(job.status) && job.summary !== null ? job.summary as JobSummary : summarize(job.spec, runs)
}
