import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readAffinityCpus } from './cores.js'
import type { CpuTopology } from './describe.js'

export type { CpuTopology }

function read (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

function list (dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter(n => pattern.test(n))
  } catch {
    return []
  }
}

/**
 * Reads the CPU topology under `rootDir` (a fixture tree in tests). Physical cores are counted as
 * distinct `physical_package_id`:`core_id` pairs in /sys/devices/system/cpu/cpu*\/topology (Linux
 * Documentation/admin-guide/cputopology.rst); logical CPUs beyond them are SMT siblings.
 */
export function readTopology (rootDir = '/'): CpuTopology {
  const cpuDir = join(rootDir, 'sys/devices/system/cpu')
  const allowed = new Set(readAffinityCpus(rootDir))
  const cores = new Set<string>()
  const usable = new Set<string>()
  const governors = new Set<string>()
  for (const cpu of list(cpuDir, /^cpu\d+$/)) {
    const core = read(join(cpuDir, cpu, 'topology/core_id'))
    const key = `${read(join(cpuDir, cpu, 'topology/physical_package_id')) ?? '0'}:${core}`
    if (core !== undefined) cores.add(key)
    if (core !== undefined && (allowed.size === 0 || allowed.has(Number(cpu.slice(3))))) usable.add(key)
    const governor = read(join(cpuDir, cpu, 'cpufreq/scaling_governor'))
    if (governor !== undefined && governor !== '') governors.add(governor)
  }
  const nodes = list(join(rootDir, 'sys/devices/system/node'), /^node\d+$/).length
  const flags = /^flags\s*:(.*)$/m.exec(read(join(rootDir, 'proc/cpuinfo')) ?? '')?.[1] ?? ''
  const vendor = read(join(rootDir, 'sys/class/dmi/id/sys_vendor'))
  return {
    physicalCores: cores.size > 0 ? cores.size : null,
    usablePhysicalCores: usable.size > 0 ? usable.size : null,
    numaNodes: nodes > 0 ? nodes : null,
    cpuGovernor: governors.size > 0 ? [...governors].sort().join(',') : null,
    virtualMachine: flags.split(/\s+/).includes('hypervisor'),
    systemVendor: vendor === undefined || vendor === '' ? null : vendor
  }
}

/**
 * The job warning for a sweep past the physical cores the job may use (`usablePhysicalCores`: those
 * with a CPU in the affinity mask): from there on a worker runs on the SMT sibling (hyperthread) of a
 * busy core and shares its execution units, so it adds far less than a core. `usableCores` are the
 * CPUs granted (affinity, quota). Empty when the sweep stays within them or the topology is unknown.
 */
export function smtWarnings (maxWorkers: number, usablePhysicalCores: number | null, usableCores: number): string[] {
  const physical = usablePhysicalCores
  if (physical === null || usableCores <= physical || maxWorkers <= physical) return []
  return [`workers up to ${maxWorkers} past the ${physical} physical core${physical === 1 ? '' : 's'} this job may use: from ${physical + 1} workers on, each shares a core with its SMT sibling (hyperthread) and adds well under one core`]
}
