import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { hostLoad } from '../../src/jobs/host-load.js'

test('the busy-host check does not count our own process tree as foreign load', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  // A child of this process that spins one core: ours, like a pool's worker process.
  const child = spawn(process.execPath, ['-e', 'process.send?.("up"); for (;;) {}'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  t.after(() => { child.kill('SIGKILL') })
  await once(child, 'message')

  // The child's own share of a core around the window, from its /proc entry: on a loaded machine
  // it may get far less than one core, and that share is what must be counted as ours.
  const ticks = (): number => readFileSync(`/proc/${child.pid as number}/stat`, 'utf8').split(') ')[1]?.split(' ').slice(11, 13).reduce((s, v) => s + Number(v), 0) as number
  const t0 = performance.now()
  const before = ticks()
  const ours = await hostLoad({ windowMs: 500, excludePids: [process.pid] })
  const childCores = (ticks() - before) * 10 / (performance.now() - t0)
  assert.ok(childCores > 0, 'the child ran')
  assert.ok(ours.excludedCores >= 0.5 * childCores, `the child's ${childCores.toFixed(2)} cores are excluded: ${JSON.stringify(ours)}`)
  assert.ok(Math.abs(ours.busyCores - ours.excludedCores - ours.foreignCores) < 1e-9)

  const nothing = await hostLoad({ windowMs: 400, excludePids: [] })
  assert.equal(nothing.excludedCores, 0)
  assert.equal(nothing.foreignCores, nothing.busyCores, 'without the exclusion everything is foreign')
})

test('the window opens only after settleMs', async () => {
  const t0 = performance.now()
  const load = await hostLoad({ windowMs: 50, settleMs: 100, excludePids: [] })
  assert.ok(performance.now() - t0 >= 145, 'settle + window')
  assert.ok(load.windowMs >= 45 && load.windowMs < 1000)
})
