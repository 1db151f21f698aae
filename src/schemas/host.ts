import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'

/** GET /api/host runtimes[]: what this server found at start. */
export const RuntimeInfoSchema = Type.Object({
  id: Type.String({ description: 'node, python (a GIL build) or python-nogil (free-threaded, GIL off)' }),
  available: Type.Boolean(),
  reason: Nullable(Type.String({ description: 'Why it is unavailable, in words a user can act on' })),
  version: Type.String(),
  executable: Type.String(),
  gil: Nullable(Type.Boolean()),
  workloads: Type.Array(Type.String())
})

export const HostSchema = Type.Object({
  id: Type.String({ description: 'Stable hash of the identity fields (not the topology below the usable cores, nor the runtimes)' }),
  hostname: Type.String(),
  cpuModel: Type.String(),
  logicalCores: Type.Integer(),
  usableCores: Type.Integer({ minimum: 1, description: 'The smallest of the CPU affinity mask and the cgroup CPU quota (floored): what the default worker sweep goes up to and efficiency is measured against' }),
  cpuQuota: Nullable(Type.Number({ description: 'cgroup CPU quota in CPUs (quota ÷ period, e.g. 1.5); null: none' })),
  physicalCores: Nullable(Type.Integer({ description: 'Cores that share no execution units; logical CPUs past them are SMT siblings (null: not exposed)' })),
  usablePhysicalCores: Nullable(Type.Integer({ description: 'Physical cores with a CPU in the affinity mask (taskset -c 0,1 on two SMT siblings: 1); SMT warnings start past them' })),
  numaNodes: Nullable(Type.Integer()),
  cpuGovernor: Nullable(Type.String({ description: 'cpufreq scaling governor, e.g. performance, powersave (null: no cpufreq, as in most VMs)' })),
  virtualMachine: Type.Boolean({ description: 'The CPU reports the hypervisor flag' }),
  systemVendor: Nullable(Type.String({ description: 'DMI system vendor, e.g. QEMU, Amazon EC2' })),
  totalMemoryMb: Type.Integer(),
  platform: Type.String(),
  arch: Type.String(),
  release: Type.String(),
  nodeVersion: Type.String(),
  corebenchVersion: Type.String(),
  runtimes: Type.Array(RuntimeInfoSchema, { description: 'Languages jobs can run in here (found at start; not part of the host id)' })
}, { $id: 'Host' })

export type RuntimeInfo = Static<typeof RuntimeInfoSchema>
export type Host = Static<typeof HostSchema>
