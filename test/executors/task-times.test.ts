import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createExecutor } from '../../src/executors/index.js'
import { resolveParams } from '../../src/workloads/index.js'

// Issue 19: on one thread, synchronous CPU tasks cannot overlap, so under `async` as under
// `serialized` each task's span must end before the next one starts. Awaiting a synchronous
// result used to stamp every task's end after the whole batch's CPU (runMs ~4× the task's own).
// Ordering of stamps from one thread's clock, not speed: nothing here depends on the machine's load.

for (const kind of ['serialized', 'async'] as const) {
  test(`${kind}: each synchronous CPU task's span ends before the next task starts`, async (t) => {
    const ex = createExecutor(kind, 1)
    t.after(async () => { await ex.destroy() })
    await ex.start()
    const r = resolveParams('fibonacci', { n: 22 })
    if (!r.ok) throw new Error('bad params')
    const { times } = await ex.run({ workload: 'fibonacci', params: r.params, tasks: 6 }, { taskTimeoutMs: 60_000 })
    for (let i = 0; i + 1 < 6; i++) {
      assert.ok(times.endedAt[i] <= times.startedAt[i + 1], `task ${i} ended at ${times.endedAt[i]}, after task ${i + 1} started at ${times.startedAt[i + 1]}`)
    }
  })
}
