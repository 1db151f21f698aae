import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { FINAL, waitFor } from '../helpers/jobs.js'

test('submit and cancel at once, 50 times: each job ends cancelled (or the cancel is a 409 because it had finished), never announced twice', async (t) => {
  const { app } = await build(t)
  const finals = new Map<string, string[]>()
  app.bus.subscribe(e => {
    if (e.type.startsWith('job.') && e.type !== 'job.queued' && e.type !== 'job.started') finals.set(e.jobId, [...finals.get(e.jobId) ?? [], e.type])
  })
  const spec = { workload: { id: 'fibonacci', params: { n: 12 } }, tasks: 4, executors: ['serialized'], repetitions: 2, warmup: 0 }
  const outcomes: Array<{ id: string, cancel: number }> = []
  for (let i = 0; i < 50; i++) {
    const submitted = await app.inject({ method: 'POST', url: '/api/jobs', payload: spec })
    assert.equal(submitted.statusCode, 202, submitted.body)
    const { id } = submitted.json()
    const cancel = await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` })
    outcomes.push({ id, cancel: cancel.statusCode })
  }
  for (const { id, cancel } of outcomes) {
    const job = await waitFor(app, id, j => FINAL.includes(j.status))
    if (cancel === 202) {
      assert.equal(job.status, 'cancelled', `${id}: cancel answered 202 but the job is ${job.status}`)
    } else {
      assert.equal(cancel, 409)
      assert.equal(job.status, 'finished')
    }
    assert.ok(job.runs.every((r: any) => r.ok), 'runs measured before the cancel are kept as they were')
  }
  // Every final event of a job names the state it ended in, once.
  await waitFor(app, outcomes.at(-1)?.id as string)
  for (const { id } of outcomes) {
    const job = (await app.inject(`/api/jobs/${id}`)).json()
    assert.deepEqual(finals.get(id), [`job.${job.status as string}`], `${id}: ${String(finals.get(id))}`)
  }
})
