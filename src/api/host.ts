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
  corebenchVersion: Type.String()
}, { $id: 'Host' })

const host: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/host', {
    schema: { tags: ['service'], summary: 'This machine\'s fingerprint', response: { 200: Type.Ref('Host') } }
  }, async () => app.host)
}

export default host
