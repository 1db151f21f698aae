import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CanaryFloor, canaryMs } from '../../src/measure/canary.js'

test('the canary floor is the fastest reading within its window; older readings leave it, nothing else does', () => {
  let now = 0
  const floor = new CanaryFloor(1000, () => now)
  assert.equal(floor.ms, null)
  floor.add(0.3)
  floor.add(0.2)
  now = 500
  floor.add(0.25)
  floor.add(NaN)
  floor.add(0)
  floor.add(-1)
  assert.equal(floor.ms, 0.2)
  // 0.2 (at 0) leaves the window; 0.25 (at 500) is the fastest left.
  now = 1001
  assert.equal(floor.ms, 0.25)
  now = 1501
  assert.equal(floor.ms, null)
})

test('a canary reading on this thread is a fraction of a millisecond to a few milliseconds', () => {
  const first = canaryMs()
  const second = canaryMs()
  for (const ms of [first, second]) assert.ok(ms > 0.01 && ms < 20, `${ms} ms`)
})
