import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { FINAL_STATUSES, isFinalStatus } from '../../src/schemas/vocabulary.js'

export const FINAL: readonly string[] = FINAL_STATUSES

/** Submits a spec and returns the 202 body. */
export async function submit (app: FastifyInstance, spec: Record<string, unknown>): Promise<{ id: string, status: string, warnings: string[] }> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: spec })
  assert.equal(res.statusCode, 202, res.body)
  return res.json()
}

/** Polls the job until `until` holds (default: a final status); fails after `timeoutMs` (generous: states are asserted here, never speed, and a loaded 2-core CI machine runs some jobs 3× slower). */
export async function waitFor (app: FastifyInstance, id: string, until: (job: any) => boolean = j => isFinalStatus(j.status), timeoutMs = 180_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await app.inject(`/api/jobs/${id}`)
    assert.equal(res.statusCode, 200, res.body)
    const job = res.json()
    if (until(job)) return job
    if (Date.now() > deadline) assert.fail(`job ${id} did not reach the expected state in ${timeoutMs} ms: ${job.status}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Submits a spec, waits for its end, asserts it finished (else fails with the job's error); returns the job. */
export async function finishedJob (app: FastifyInstance, spec: Record<string, unknown>): Promise<any> {
  const job = await waitFor(app, (await submit(app, spec)).id)
  assert.equal(job.status, 'finished', job.error)
  return job
}

/** fibonacci(n) × 8 tasks on serialized and threaded/1, 6 repetitions on fresh pools and no warm-up: the history tests' spec. */
export const fibSpec = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  workload: { id: 'fibonacci', params: { n } },
  tasks: 8,
  executors: ['serialized', 'threaded'],
  workers: [1],
  repetitions: 6,
  // Each repetition is a fresh pool, cold alike in every job compared: a warm-up would double the runs.
  warmup: 0,
  ...extra
})

/** A small CPU job that finishes in a second or two even under tsx. */
export const quickSpec = {
  workload: { id: 'fibonacci', params: { n: 18 } },
  tasks: 8,
  executors: ['serialized', 'threaded'],
  workers: [1],
  repetitions: 3,
  warmup: 1
}

/** A job that keeps running until cancelled. */
export const slowSpec = {
  workload: { id: 'sleep', params: { ms: 20_000 } },
  tasks: 1,
  executors: ['serialized'],
  repetitions: 3,
  warmup: 0,
  taskTimeoutMs: 60_000
}
