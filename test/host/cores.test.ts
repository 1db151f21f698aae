import assert from 'node:assert/strict'
import os from 'node:os'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parseCpuList, readCoreLimits } from '../../src/host/cores.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url))

test('cgroup v1: the cpu controller\'s quota (200000/100000 µs) caps 8 CPUs of affinity at 2', () => {
  assert.deepEqual(readCoreLimits(fixture('cgroup-v1'), 99), { usableCores: 2, affinityCpus: 8, cpuQuota: 2, cpuQuotaSource: 'cgroup v1' })
})

test('cgroup v2: a parent\'s cpu.max (3 CPUs) caps a leaf that has none', () => {
  assert.deepEqual(readCoreLimits(fixture('cgroup-v2'), 99), { usableCores: 3, affinityCpus: 8, cpuQuota: 3, cpuQuotaSource: 'cgroup v2' })
})

test('no limit: "max" quotas leave the affinity mask', () => {
  assert.deepEqual(readCoreLimits(fixture('no-limit'), 99), { usableCores: 4, affinityCpus: 4, cpuQuota: null, cpuQuotaSource: null })
})

test('a fractional quota of 1.5 CPUs counts as 1 usable core and is shown as 1.5', () => {
  assert.deepEqual(readCoreLimits(fixture('fractional'), 99), { usableCores: 1, affinityCpus: 16, cpuQuota: 1.5, cpuQuotaSource: 'cgroup v2' })
})

test('a root with no /proc falls back to the given CPU count; this process agrees with Node on affinity', () => {
  assert.deepEqual(readCoreLimits('/nonexistent-root', 6), { usableCores: 6, affinityCpus: 6, cpuQuota: null, cpuQuotaSource: null })
  assert.equal(readCoreLimits().affinityCpus, os.availableParallelism())
})

test('CPU lists count ranges and singles; malformed lists are refused', () => {
  assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11])
  assert.deepEqual(parseCpuList('0'), [0])
  assert.equal(parseCpuList('3-1'), undefined)
  assert.equal(parseCpuList('x'), undefined)
})
