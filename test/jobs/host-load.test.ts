import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { hostLoad } from '../../src/jobs/host-load.js'

test('the busy-host check does not count our own process tree as foreign load', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  // A child of this process that spins one core: ours, like a pool's worker process.
  const child = spawn(process.execPath, ['-e', 'process.send?.("up"); for (;;) {}'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  t.after(() => { child.kill('SIGKILL') })
  await once(child, 'message')

  const ours = await hostLoad({ windowMs: 400, excludePids: [process.pid] })
  // Whatever else the machine does, the spinning child is counted as ours, not foreign.
  assert.ok(ours.excludedCores > 0.3, `the child's core is excluded: ${JSON.stringify(ours)}`)
  assert.ok(Math.abs(ours.busyCores - ours.excludedCores - ours.foreignCores) < 1e-9)

  const nothing = await hostLoad({ windowMs: 400, excludePids: [] })
  assert.equal(nothing.excludedCores, 0)
  assert.ok(nothing.foreignCores > 0.3, `without the exclusion it is foreign: ${JSON.stringify(nothing)}`)
})

test('the window opens only after settleMs', async () => {
  const t0 = performance.now()
  const load = await hostLoad({ windowMs: 50, settleMs: 100, excludePids: [] })
  assert.ok(performance.now() - t0 >= 145, 'settle + window')
  assert.ok(load.windowMs >= 45 && load.windowMs < 1000)
})
