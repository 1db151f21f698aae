import type { Store } from '../../src/store/types.js'
import type { JobRecord } from '../../src/store/types.js'
import { summarize } from '../../src/stats/summary.js'
import { seedJob, seedSpec, type SeedJob } from './seed.js'

/**
 * Finished jobs of one spec, oldest first, each with its summary stored as a runner stores it when a
 * job ends: `walls[i]` holds job i's recorded wall times per cell (`serialized/1`, `threaded/2`).
 */
export async function seedHistory (store: Store, walls: Array<Record<string, number[]>>, base: Omit<SeedJob, 'status' | 'walls'> = {}): Promise<JobRecord[]> {
  const jobs: JobRecord[] = []
  for (const w of walls) {
    const job = await seedJob(store, { ...base, status: 'finished', walls: w })
    await store.updateJob(job.id, { summary: summarize(seedSpec({ ...base, status: 'finished' }), await store.listRuns(job.id), undefined, 2) })
    jobs.push(job)
  }
  return jobs
}

/** A level per job with a small fixed wobble (±1 %), so the only change is the one put in. */
export function levels (...steps: Array<[count: number, wallMs: number]>): Array<Record<string, number[]>> {
  const out: Array<Record<string, number[]>> = []
  for (const [count, wall] of steps) {
    for (let i = 0; i < count; i++) {
      const w = wall * (1 + ((out.length * 7) % 5 - 2) / 200)
      out.push({ 'serialized/1': [w, w * 1.01, w * 0.99], 'threaded/2': [w / 2, w / 2 * 1.01, w / 2 * 0.99] })
    }
  }
  return out
}

/** Six runs around each median, ±1 %: each job is steady in itself; only the jobs differ. */
export function jobsAt (...medians: number[]): Array<Record<string, number[]>> {
  return medians.map(m => ({ 'serialized/1': [1, 1.01, 0.99, 1.005, 0.995, 1.002].map(f => m * f) }))
}
