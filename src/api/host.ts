import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

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
