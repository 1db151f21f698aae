import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { FINAL, waitFor } from '../helpers/jobs.js'

const tiny = { workload: { id: 'sleep', params: { ms: 0 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 }

test('a burst of 1 000 submissions: each 202 or 429, every accepted job ends, none lost, no database error', async (t) => {
  const { app } = await build(t, { QUEUE_LIMIT: '40', RATE_LIMIT_PER_MINUTE: '100000' })
  const answers = await Promise.all(Array.from({ length: 1000 }, async () => await app.inject({ method: 'POST', url: '/api/jobs', payload: tiny })))
  const codes = new Map<number, number>()
  for (const a of answers) codes.set(a.statusCode, (codes.get(a.statusCode) ?? 0) + 1)
  assert.deepEqual([...codes.keys()].sort(), [202, 429], JSON.stringify([...codes]))
  const ids = answers.filter(a => a.statusCode === 202).map(a => a.json().id as string)
  assert.ok(ids.length >= 40, `at least a full queue was accepted (${ids.length})`)
  assert.equal(new Set(ids).size, ids.length, 'ids are unique')
  for (const a of answers.filter(a => a.statusCode === 429)) assert.equal(a.headers['retry-after'], '30')

  for (const id of ids) {
    const job = await waitFor(app, id, j => FINAL.includes(j.status), 120_000)
    assert.equal(job.status, 'finished', `${id}: ${job.error}`)
    assert.equal(job.runs.length, 1)
  }
  const all = []
  for (let cursor: string | null = null; ;) {
    const page: any = (await app.inject(`/api/jobs?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`)).json()
    all.push(...page.items)
    if (page.nextCursor === null) break
    cursor = page.nextCursor
  }
  assert.equal(all.length, ids.length, 'every accepted job is in history, nothing else')
})
