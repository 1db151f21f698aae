import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

/**
 * Adds 1 to ctx.shared[0] `n` times. With `atomic: false` each step is a separate load and store,
 * so tasks that share the memory lose updates (the seed's `counter += 1` race); the executor compares
 * the final shared[0] with tasks × n. Checksum: decimal n (what this task did, not what arrived).
 */
export default defineWorkload({
  id: 'shared-counter',
  kind: 'cpu',
  description: 'Increment one shared counter `n` times, atomically or not (shows lost updates).',
  sharedMemory: true,
  params: Type.Object({
    n: Type.Integer({ default: 1_000_000, minimum: 1, maximum: 100_000_000, description: 'Increments one task performs.' }),
    atomic: Type.Boolean({ default: false, description: 'Use Atomics.add (no lost updates) instead of a plain read-modify-write.' }),
  }, { additionalProperties: false }),
  run({ n, atomic }, ctx) {
    const shared = ctx.shared
    if (!shared || shared.length < 1) {
      throw new Error('shared-counter: no shared memory in the task context (ctx.shared must be an Int32Array over a SharedArrayBuffer)')
    }
    if (atomic) {
      for (let i = 0; i < n; i++) Atomics.add(shared, 0, 1)
    } else {
      for (let i = 0; i < n; i++) shared[0] = shared[0] + 1
    }
    return { checksum: String(n) }
  },
})
