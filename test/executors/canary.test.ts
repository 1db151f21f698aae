import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canaryMs } from '../../src/executors/canary.js'

test('a canary reading on this thread is a fraction of a millisecond to a few milliseconds, the first one too', () => {
  const first = canaryMs()
  const second = canaryMs()
  for (const ms of [first, second]) assert.ok(ms > 0.01 && ms < 20, `${ms} ms`)
})
