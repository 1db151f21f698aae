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
  id: Type.String({ description: 'Stable hash of every other field' }),
  hostname: Type.String(),
  cpuModel: Type.String(),
  logicalCores: Type.Integer(),
  availableParallelism: Type.Integer({ description: 'os.availableParallelism(): what the default worker sweep goes up to' }),
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
