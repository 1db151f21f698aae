import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { build } from '../helpers/app.js'
import { slowSpec, submit } from '../helpers/jobs.js'

const valid = { workload: { id: 'fibonacci', params: { n: 20 } }, tasks: 4, executors: ['serialized'], repetitions: 1, warmup: 0 }

// Values that tend to break validators: wrong types, edges, huge and hostile strings, deep objects.
const nasty = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, '', '0', 'NaN', null, true, [], {}, '__proto__', 'constructor'),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: -10, max: 100_000 })
)
const key = fc.constantFrom('name', 'workload', 'tasks', 'executors', 'workers', 'repetitions', 'warmup', 'taskTimeoutMs', 'tags', 'preset', 'params', 'id', 'extra')

/** A valid spec with one to three fields replaced, removed or added, or a spec made of random JSON. */
const spec = fc.oneof(
  fc.tuple(fc.array(fc.tuple(key, nasty, fc.boolean()), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([edits, inParams]) => {
    const s: Record<string, any> = structuredClone(valid)
    for (const [k, v, drop] of edits) {
      const target = inParams ? s.workload.params : s
      if (drop) delete target[k]
      else target[k] = v
    }
    return s
  }),
  fc.dictionary(key, nasty, { maxKeys: 6 }),
  nasty
)

test('1 000 random and mutated specs: only 4xx or 202, never a 5xx; no job from an invalid spec; the server stays healthy', async (t) => {
  const { app } = await build(t, { QUEUE_LIMIT: '100000' })
  // A running job keeps the accepted ones queued, so the fuzzer measures validation, not CPU.
  const blocker = await submit(app, { ...slowSpec, repetitions: 50 })
  let accepted = 0
  await fc.assert(fc.asyncProperty(spec, async (body) => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' })
    assert.ok(res.statusCode === 202 || (res.statusCode >= 400 && res.statusCode < 500), `${res.statusCode} for ${JSON.stringify(body)?.slice(0, 300)}: ${res.body}`)
    if (res.statusCode === 202) {
      accepted++
      // Whatever was accepted was a spec a user could have meant: it reads back as queued.
      const job = (await app.inject(`/api/jobs/${res.json().id}`)).json()
      assert.equal(job.status, 'queued')
      assert.equal(job.spec.workload.id, job.workload)
    } else {
      assert.match(res.json().code, /^COREBENCH_ERR_/)
      assert.ok(res.json().message.length > 0)
    }
  }), { numRuns: 1000, seed: 20261122 })
  const queued = (await app.inject('/api/jobs?status=queued&limit=100')).json().items.length
  assert.equal(queued, Math.min(accepted, 100), 'exactly the accepted specs became jobs')
  assert.equal((await app.inject('/api/health')).statusCode, 200)
  await app.inject({ method: 'POST', url: `/api/jobs/${blocker.id}/cancel` })
})
