import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readTopology, smtWarnings } from '../../src/host/topology.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url))

test('two sockets of two SMT cores: 4 physical cores for 8 CPUs, 2 NUMA nodes, a VM', () => {
  assert.deepEqual(readTopology(fixture('smt-numa-vm')), { physicalCores: 4, usablePhysicalCores: 4, numaNodes: 2, cpuGovernor: 'performance', virtualMachine: true, systemVendor: 'Amazon EC2' })
})

test('bare metal without SMT: one core per CPU, no hypervisor flag, no DMI vendor', () => {
  assert.deepEqual(readTopology(fixture('bare-metal')), { physicalCores: 4, usablePhysicalCores: 4, numaNodes: 1, cpuGovernor: 'powersave', virtualMachine: false, systemVendor: null })
})

test('nothing exposed: every field unknown, not guessed', () => {
  assert.deepEqual(readTopology('/nonexistent-root'), { physicalCores: null, usablePhysicalCores: null, numaNodes: null, cpuGovernor: null, virtualMachine: false, systemVendor: null })
})

test('an affinity mask counts the physical cores it touches: two SMT siblings are one core', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'corebench-topo-'))
  t.after(() => { rmSync(root, { recursive: true, force: true }) })
  cpSync(fixture('smt-numa-vm'), root, { recursive: true })
  mkdirSync(join(root, 'proc/self'), { recursive: true })
  const masked = (list: string): number | null => {
    writeFileSync(join(root, 'proc/self/status'), `Name:\tnode\nCpus_allowed_list:\t${list}\n`)
    return readTopology(root).usablePhysicalCores
  }
  assert.equal(masked('0-1'), 1, 'cpu0 and cpu1 are siblings of core 0:0')
  assert.equal(masked('0,2'), 2)
  assert.equal(masked('0-7'), 4)
  assert.equal(readTopology(root).physicalCores, 4, 'the machine keeps its 4 physical cores')
})

test('a sweep past the physical cores says where the SMT siblings begin', () => {
  assert.match(smtWarnings(8, 4, 8)[0] ?? '', /past the 4 physical cores this job may use: from 5 workers on/)
  assert.match(smtWarnings(2, 1, 2)[0] ?? '', /past the 1 physical core this job may use: from 2 workers on/, 'taskset -c 0,1 on siblings')
  assert.deepEqual(smtWarnings(4, 4, 8), [])
  assert.deepEqual(smtWarnings(8, 4, 4), [], 'no SMT: nothing to say')
  assert.deepEqual(smtWarnings(8, null, 8), [])
})
