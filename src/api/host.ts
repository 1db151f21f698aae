import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const HostSchema = Type.Object({
  id: Type.String({ description: 'Stable hash of the identity fields (not the topology below the usable cores, nor the runtimes)' }),
  hostname: Type.String(),
  cpuModel: Type.String(),
  logicalCores: Type.Integer(),
  usableCores: Type.Integer({ minimum: 1, description: 'The smallest of the CPU affinity mask and the cgroup CPU quota (floored): what the default worker sweep goes up to and efficiency is measured against' }),
  cpuQuota: Type.Union([Type.Number(), Type.Null()], { description: 'cgroup CPU quota in CPUs (quota ÷ period, e.g. 1.5); null: none' }),
  physicalCores: Type.Union([Type.Integer(), Type.Null()], { description: 'Cores that share no execution units; logical CPUs past them are SMT siblings (null: not exposed)' }),
  numaNodes: Type.Union([Type.Integer(), Type.Null()]),
  cpuGovernor: Type.Union([Type.String(), Type.Null()], { description: 'cpufreq scaling governor, e.g. performance, powersave (null: no cpufreq, as in most VMs)' }),
  virtualMachine: Type.Boolean({ description: 'The CPU reports the hypervisor flag' }),
  systemVendor: Type.Union([Type.String(), Type.Null()], { description: 'DMI system vendor, e.g. QEMU, Amazon EC2' }),
  totalMemoryMb: Type.Integer(),
  platform: Type.String(),
  arch: Type.String(),
  release: Type.String(),
  nodeVersion: Type.String(),
  corebenchVersion: Type.String(),
  runtimes: Type.Array(Type.Object({
    id: Type.String({ description: 'node, python (a GIL build) or python-nogil (free-threaded, GIL off)' }),
    available: Type.Boolean(),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it is unavailable' }),
    version: Type.String(),
    executable: Type.String(),
    gil: Type.Union([Type.Boolean(), Type.Null()]),
    workloads: Type.Array(Type.String())
  }), { description: 'Languages jobs can run in here (found at start; not part of the host id)' })
}, { $id: 'Host' })

const host: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/host', {
    schema: { tags: ['service'], summary: 'This machine\'s fingerprint', response: { 200: Type.Ref('Host') } }
  }, async () => ({ ...app.host, runtimes: app.runtimes.list }))
}

export default host
