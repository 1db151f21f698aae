import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const host: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/host', {
    schema: { tags: ['service'], summary: 'This machine\'s fingerprint', response: { 200: Type.Ref('Host') } }
  }, async () => ({ ...app.host, runtimes: app.runtimes.list }))
}

export default host
