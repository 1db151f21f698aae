import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { MonotonicStore } from '../../src/plugins/rate-limit.js'

type Store = { incr: (key: string, cb: (err: Error | null, res: { current: number, ttl: number }) => void, timeWindow: number, max: number) => void }

const incr = (store: Store): { current: number, ttl: number } => {
  let out: { current: number, ttl: number } | undefined
  store.incr('ip:1', (_err, res) => { out = res }, 60_000, 2)
  return out as { current: number, ttl: number }
}

/** Fills a bucket, steps the wall clock back an hour, lets a window pass on the monotonic clock. */
function stepBack (store: Store, advance: () => void): number {
  const realNow = Date.now
  try {
    for (let i = 0; i < 3; i++) incr(store)
    const stepped = realNow() - 3600_000
    Date.now = () => stepped + 61_000
    advance()
    return incr(store).current
  } finally {
    Date.now = realNow
  }
}

test('rate windows are on the monotonic clock: a wall clock stepped back an hour does not keep a client blocked', () => {
  let mono = 0
  const store = new MonotonicStore(undefined, () => mono)
  assert.deepEqual(incr(store), { current: 1, ttl: 60_000 })
  mono = 15_000
  assert.deepEqual(incr(store), { current: 2, ttl: 45_000 })
  assert.equal(stepBack(store, () => { mono += 61_000 }), 1, 'a new window after 60 s of monotonic time')

  // The plugin's own store, for the record: its windows follow Date.now, so the bucket stays full.
  const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (a: boolean, b: boolean) => Store
  assert.equal(stepBack(new LocalStore(false, false), () => {}), 4)
})
