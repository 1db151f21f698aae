import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { submit } from '../helpers/jobs.js'
import { coreLimits } from '../../src/host/cores.js'
import { readTopology } from '../../src/host/topology.js'

test('GET /api/host shows the usable cores, the quota and the CPU topology', async (t) => {
  const { app } = await build(t)
  const host = (await app.inject('/api/host')).json()
  assert.equal(host.usableCores, coreLimits().usableCores)
  assert.equal(host.cpuQuota, coreLimits().cpuQuota)
  const topology = readTopology()
  for (const k of ['physicalCores', 'numaNodes', 'cpuGovernor', 'virtualMachine', 'systemVendor'] as const) assert.equal(host[k], topology[k], k)
})

test('a sweep past the physical cores says where the SMT siblings begin; one within them does not', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  // This machine's topology is whatever it is: the host is given 1 physical core of 2 logical CPUs.
  Object.assign(app.host, { physicalCores: 1, logicalCores: 2 })
  const past = await submit(app, { workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 8, executors: ['serialized', 'threaded'], workers: [1, 2], repetitions: 5 })
  assert.ok(past.warnings.some(w => /past the 1 physical core: from 2 workers on, each shares a core with its SMT sibling/.test(w)), JSON.stringify(past.warnings))
  const within = await submit(app, { workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 8, executors: ['serialized', 'threaded'], workers: [1], repetitions: 5 })
  assert.ok(!within.warnings.some(w => /SMT/.test(w)), JSON.stringify(within.warnings))
})
