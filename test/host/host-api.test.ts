import assert from 'node:assert/strict'
import { hostFingerprint } from '../../src/host/fingerprint.js'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { cli, listening } from '../helpers/cli.js'
import { submit } from '../helpers/jobs.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'
import { hostCoresText } from '../../src/host/describe.js'
import { coreLimits } from '../../src/host/cores.js'
import { readTopology } from '../../src/host/topology.js'

test('GET /api/host shows the usable cores, the quota and the CPU topology', async (t) => {
  const { app } = await build(t)
  const host = (await app.inject('/api/host')).json()
  assert.equal(host.usableCores, coreLimits().usableCores)
  assert.equal(host.cpuQuota, coreLimits().cpuQuota)
  const topology = readTopology()
  for (const k of ['physicalCores', 'usablePhysicalCores', 'numaNodes', 'cpuGovernor', 'virtualMachine', 'systemVendor'] as const) assert.equal(host[k], topology[k], k)
})

test('a sweep past the physical cores says where the SMT siblings begin; one within them does not', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  // This machine's topology is whatever it is: the host is given 1 physical core of 2 logical CPUs.
  Object.assign(app.host, { physicalCores: 1, usablePhysicalCores: 1, logicalCores: 2, usableCores: 2 })
  const past = await submit(app, { workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 8, executors: ['serialized', 'threaded'], workers: [1, 2], repetitions: 5 })
  assert.ok(past.warnings.some(w => /past the 1 physical core this job may use: from 2 workers on, each shares a core with its SMT sibling/.test(w)), JSON.stringify(past.warnings))
  const within = await submit(app, { workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 8, executors: ['serialized', 'threaded'], workers: [1], repetitions: 5 })
  assert.ok(!within.warnings.some(w => /SMT/.test(w)), JSON.stringify(within.warnings))
})

test('corebench host and the Markdown report say the usable cores and the topology in one line', async (t) => {
  // The report names the host that ran the job: here, this machine.
  const { url: databaseUrl, seeded } = await seededDatabase(t, async store => {
    const here = hostFingerprint()
    await store.upsertHost(here)
    const job = await seedJob(store, { status: 'finished', walls: { 'serialized/1': [100, 101, 102] } })
    await store.updateJob(job.id, { hostId: here.id })
    return job
  })
  const { app, url } = await listening(t, {}, { databaseUrl })
  const line = hostCoresText(app.host)
  assert.match(line, /^\d+ usable cores? .*· governor .* · (VM|bare metal)/)
  const host = await cli(url, ['host'])
  assert.equal(host.code, 0, host.err)
  assert.ok(host.out.split('\n').includes(line), host.out)
  const md = (await app.inject(`/api/jobs/${seeded.id}/report?format=md`)).body
  assert.ok(md.includes(`Host: ${line}`), md)
})

test('the one-line host text names what bounds the cores, SMT and the VM', () => {
  const base = { logicalCores: 8, usableCores: 8, cpuQuota: null, physicalCores: 4, usablePhysicalCores: 4, numaNodes: 2, cpuGovernor: 'performance', virtualMachine: false, systemVendor: null }
  assert.equal(hostCoresText(base), '8 usable cores · 4 physical cores, 8 logical CPUs (SMT) · 2 NUMA nodes · governor performance · bare metal')
  assert.equal(hostCoresText({ ...base, usableCores: 1, cpuQuota: 1.5, virtualMachine: true, systemVendor: 'QEMU', cpuGovernor: null, numaNodes: null, physicalCores: null, usablePhysicalCores: null }),
    '1 usable core (cgroup quota 1.5 CPUs) · 8 logical CPUs · governor – · VM (QEMU)')
  assert.match(hostCoresText({ ...base, usableCores: 2, usablePhysicalCores: 2 }), /^2 usable cores \(CPU affinity\) /)
  assert.match(hostCoresText({ ...base, usableCores: 2, usablePhysicalCores: 1 }), /^2 usable cores \(CPU affinity, on 1 physical core\) /, 'taskset on two SMT siblings')
})
