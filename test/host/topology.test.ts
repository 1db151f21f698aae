import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readTopology, smtWarnings } from '../../src/host/topology.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url))

test('two sockets of two SMT cores: 4 physical cores for 8 CPUs, 2 NUMA nodes, a VM', () => {
  assert.deepEqual(readTopology(fixture('smt-numa-vm')), { physicalCores: 4, numaNodes: 2, cpuGovernor: 'performance', virtualMachine: true, systemVendor: 'Amazon EC2' })
})

test('bare metal without SMT: one core per CPU, no hypervisor flag, no DMI vendor', () => {
  assert.deepEqual(readTopology(fixture('bare-metal')), { physicalCores: 4, numaNodes: 1, cpuGovernor: 'powersave', virtualMachine: false, systemVendor: null })
})

test('nothing exposed: every field unknown, not guessed', () => {
  assert.deepEqual(readTopology('/nonexistent-root'), { physicalCores: null, numaNodes: null, cpuGovernor: null, virtualMachine: false, systemVendor: null })
})

test('a sweep past the physical cores says where the SMT siblings begin', () => {
  assert.match(smtWarnings(8, 4, 8)[0] ?? '', /past the 4 physical cores: from 5 workers on/)
  assert.deepEqual(smtWarnings(4, 4, 8), [])
  assert.deepEqual(smtWarnings(8, 4, 4), [], 'no SMT: nothing to say')
  assert.deepEqual(smtWarnings(8, null, 8), [])
})
