import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DatabaseUnavailableError } from '../errors.js'

const Health = Type.Object({
  status: Type.Literal('ok'),
  uptimeS: Type.Number(),
  database: Type.Literal('ok')
})

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/health', {
    schema: { tags: ['service'], summary: 'Liveness and database readiness', response: { 200: Health, 503: Type.Ref('Error') } }
  }, async (req) => {
    try {
      await app.store.ping()
    } catch (err) {
      req.log.error({ err }, 'health: database ping failed')
      throw new DatabaseUnavailableError()
    }
    return { status: 'ok' as const, uptimeS: Math.round(process.uptime()), database: 'ok' as const }
  })
}

export default health
