import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { specHash } from '../../src/jobs/spec.js'
import type { JobSpec } from '../../src/schemas/job.js'
import type { JobVersions } from '../../src/schemas/workload.js'
import { createPrismaClient } from '../../src/store/client.js'
import { newId } from '../../src/store/ids.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import { UNMEASURED_DISTURBANCE, type JobRecord, type JobStatus, type RunRecord, type Store } from '../../src/store/types.js'
import { tempDatabase } from './db.js'

// Jobs and runs written straight into a database before the app opens it: the API reads them as
// if a runner had measured them, and no runner ever claims them (none is queued).

export interface SeedJob {
  status: JobStatus
  /** Recorded wall times per cell (`executor/workers`, Node only); a null entry is a failed run. */
  walls?: Record<string, Array<number | null>>
  name?: string
  tags?: Record<string, string>
  workload?: string
  /** Stored as given: text the API would refuse now, as older versions or a task's error could leave it. */
  error?: string
  warnings?: string[]
  /** Recorded as a runner records them when it starts the job. */
  versions?: JobVersions
  /** The canary's time before and after every run, ms (unmeasured when absent). */
  canaryMs?: number
  /** The host that ran it (a Host row the caller stored); none when absent. */
  hostId?: string
}

export const seedSpec = (s: SeedJob): JobSpec => ({
  name: s.name ?? 'seeded',
  workload: { id: s.workload ?? 'sleep', params: { ms: 150 } },
  tasks: 4,
  runtimes: ['node'],
  executors: ['serialized', 'threaded'],
  workers: [2],
  repetitions: 3,
  warmup: 0,
  taskTimeoutMs: 5000,
  tags: s.tags ?? {}
})

/** Stores one job with its runs and final status; resolves with the record. */
export async function seedJob (store: Store, s: SeedJob): Promise<JobRecord> {
  const spec = seedSpec(s)
  const job = await store.createJob({ id: newId('j'), spec, specHash: specHash(spec), warnings: [], tasksTotal: 0 })
  const at = new Date()
  for (const [key, walls] of Object.entries(s.walls ?? {})) {
    const [executor, workers] = key.split('/') as [string, string]
    for (const [fork, wall] of walls.entries()) {
      const run: RunRecord = {
        id: newId('r'), jobId: job.id, runtime: 'node', executor, workers: Number(workers), fork, warmup: false, attempt: 1, ok: wall !== null,
        error: wall === null ? { code: 'COREBENCH_ERR_TASK_TIMEOUT', message: 'seeded' } : null, tasks: 4, wallMs: wall ?? 0, startupMs: 1, coldWallMs: (wall ?? 0) + 1,
        cpuUserMs: 0, cpuSystemMs: 0, taskCpuMs: null, coordinatorCpuMs: null, busyCores: 0, peakRssBytes: 0, loopDelayP50Ms: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0,
        bytesToWorkers: 0, bytesFromWorkers: 0, serialization: null, checksum: null, verified: null, shared: null, ...UNMEASURED_DISTURBANCE, ...(s.canaryMs === undefined ? {} : { canaryBeforeMs: s.canaryMs, canaryAfterMs: s.canaryMs, canaryDrift: 0 }), startedAt: at, finishedAt: at
      }
      await store.insertRun(run, undefined)
    }
  }
  const error = s.error ?? (s.status === 'failed' ? 'every run failed' : null)
  // Through the lifecycle's own transitions, as a runner would: queued → running → the seeded end.
  if (s.status !== 'queued') await store.transitionJob(job.id, { from: 'queued', to: 'running', holder: 'r_seed' })
  if (s.status !== 'queued' && s.versions !== undefined) assert.ok(await store.setJobVersions(job.id, 'r_seed', s.versions))
  if (s.status !== 'queued' && s.status !== 'running') await store.transitionJob(job.id, { from: 'running', to: s.status, patch: { finishedAt: at, error } })
  await store.updateJob(job.id, { warnings: s.warnings ?? [], ...(s.hostId === undefined ? {} : { hostId: s.hostId }) })
  return { ...job, status: s.status, error, warnings: s.warnings ?? [], hostId: s.hostId ?? job.hostId }
}

/** A fresh migrated database with whatever `fill` stores in it; returns its URL for build(t, …, { databaseUrl }). */
export async function seededDatabase<T> (t: TestContext, fill: (store: Store) => Promise<T>): Promise<{ url: string, seeded: T }> {
  const { url } = await tempDatabase(t)
  const store = createPrismaStore(await createPrismaClient(url))
  try {
    return { url, seeded: await fill(store) }
  } finally {
    await store.close()
  }
}
