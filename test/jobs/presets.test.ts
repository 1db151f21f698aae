import assert from 'node:assert/strict'
import { test } from 'node:test'
import { presets } from '../../src/jobs/presets.js'
import { specWarnings } from '../../src/jobs/spec.js'
import type { JobSpec } from '../../src/schemas/job.js'
import { INTERVAL_MIN_N } from '../../src/stats/descriptive.js'
import { getWorkload } from '../../src/workloads/index.js'

const asSpec = (s: (typeof presets)[number]['spec']): JobSpec => ({ name: '', runtimes: ['node'], taskTimeoutMs: 30_000, tags: {}, ...s } as JobSpec)

test('every preset but the seed\'s own shape passes its own checks on a 2-core host', () => {
  for (const p of presets.filter(p => p.id !== 'gil-cpu-seed')) {
    const spec = asSpec(p.spec)
    assert.deepEqual(specWarnings(spec, 2), [], `${p.id} warns about itself`)
    assert.ok(spec.repetitions >= INTERVAL_MIN_N, `${p.id}: ${spec.repetitions} repetitions give no intervals`)
    if (getWorkload(spec.workload.id)?.kind !== 'io') assert.ok(spec.tasks >= 4 * Math.max(...spec.workers), `${p.id}: fewer than 4 tasks per worker`)
  }
})

test('gil-cpu-seed keeps the article\'s 2-task form, and its warning', () => {
  const seed = presets.find(p => p.id === 'gil-cpu-seed')
  assert.ok(seed !== undefined)
  assert.equal(seed.spec.tasks, 2)
  assert.match(specWarnings(asSpec(seed.spec), 2).join('\n'), /tasks \(2\) < 4 × workers \(2\)/)
})
