import { createHash } from 'node:crypto'
import os from 'node:os'
import { version } from '../version.js'
import { coreLimits } from './cores.js'
import { readTopology, type CpuTopology } from './topology.js'

export interface HostFingerprint extends CpuTopology {
  id: string
  hostname: string
  cpuModel: string
  logicalCores: number
  /** min(affinity, ⌊cgroup quota⌋): see host/cores.ts. */
  usableCores: number
  /** The cgroup CPU quota in CPUs (1.5 = one and a half); null: none. */
  cpuQuota: number | null
  totalMemoryMb: number
  platform: string
  arch: string
  release: string
  nodeVersion: string
  corebenchVersion: string
}

/**
 * What identifies the machine a job ran on. The id is a hash of the identity fields, so an upgrade of
 * Node or corebench, a resized VM or a different core budget counts as a new host: its numbers are not
 * comparable one-to-one. The usable cores are hashed under their former name, `availableParallelism`,
 * so a host without a quota keeps the id it had before quotas were read. The topology (physical cores,
 * NUMA nodes, governor, VM) and the raw quota are shown but not hashed: the first three follow from the
 * CPU model and logical cores, a governor can be switched at any time and would split one machine's
 * history, and the quota's effect is already in the usable cores.
 */
export function hostFingerprint (): HostFingerprint {
  const cpus = os.cpus()
  const limits = coreLimits()
  const identity = {
    hostname: os.hostname(),
    cpuModel: (cpus[0]?.model ?? 'unknown').trim(),
    logicalCores: cpus.length,
    availableParallelism: limits.usableCores,
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: os.platform(),
    arch: os.arch(),
    release: os.release(),
    nodeVersion: process.version,
    corebenchVersion: version
  }
  const canonical = JSON.stringify(Object.keys(identity).sort().map(k => [k, identity[k as keyof typeof identity]]))
  const id = createHash('sha256').update(canonical).digest('hex').slice(0, 16)
  const { availableParallelism: usableCores, ...rest } = identity
  return { id, ...rest, usableCores, cpuQuota: limits.cpuQuota, ...readTopology() }
}

/**
 * TEST-ONLY (RUNNER_TEST_HARDWARE): the fingerprint with another architecture and core count, as
 * `arch:cores`, under an id of its own, so that several runners on one machine look like different
 * hardware to routing. Empty: the fingerprint unchanged.
 */
export function withTestHardware (host: HostFingerprint, spec: string): HostFingerprint {
  if (spec === '') return host
  const [arch, cores] = spec.split(':') as [string, string]
  const id = createHash('sha256').update(`${host.id}|${spec}`).digest('hex').slice(0, 16)
  return { ...host, id, arch, usableCores: Number(cores), logicalCores: Number(cores) }
}
